(* lemma add_assoc: the proof script the prover checks; edit it and only this lemma and what builds on it run again *)
Lemma add_assoc.
Proof. auto. Qed.
