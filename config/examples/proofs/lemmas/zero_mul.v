(* lemma zero_mul: the proof script the prover checks; edit it and only this lemma and what builds on it run again *)
Lemma zero_mul.
Proof. auto. Qed.
