(* lemma order_mul: the proof script the prover checks; edit it and only this lemma and what builds on it run again *)
Lemma order_mul.
Proof. auto. Qed.
