(* lemma square_nonneg: the proof script the prover checks; edit it and only this lemma and what builds on it run again *)
Lemma square_nonneg.
Proof. auto. Qed.
