(* lemma order_add: the proof script the prover checks; edit it and only this lemma and what builds on it run again *)
Lemma order_add.
Proof. auto. Qed.
