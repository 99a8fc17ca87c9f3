(* lemma add_comm: the proof script the prover checks; edit it and only this lemma and what builds on it run again *)
Lemma add_comm.
Proof. auto. Qed.
