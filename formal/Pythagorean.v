(* The algebraic core of Lemma 2 (Pythagorean improvement) of the example paper.

   Written by an AI agent (Claude); no human has reviewed it (see provenance.yaml).

   Setting: predictors are vectors of an abelian group V, scored with a symmetric form
   [ip] that is additive in each argument, with values in a commutative ring R (in the
   paper, the empirical inner product <u, v> = (1/n) sum u_i v_i on R^n, which is
   bilinear; additivity is all the proof needs). The squared error of a predictor f
   for the labels y is mse y f = <y - f, y - f>. The paper's proof gets y - f_v _|_ f_v - f_u from
   f_v = Pi_{H_v} y and f_v - f_u in H_v; given that orthogonality, the identity below
   is pure algebra, and Coq checks it here for every such R, V and form: the section's
   variables and hypotheses become arguments of the theorem, so it rests on no axiom. *)

Require Import Coq.setoid_ring.Ring_theory Coq.setoid_ring.Ring.

Section Pythagorean.

  (* A commutative ring of scalars. *)
  Variable R : Type.
  Variables (zero one : R) (add mul sub : R -> R -> R) (opp : R -> R).
  Hypothesis R_ring : ring_theory zero one add mul sub opp (@eq R).
  Add Ring scalars : R_ring.

  (* An abelian group of predictors. *)
  Variable V : Type.
  Variables (vzero : V) (vadd vsub : V -> V -> V) (vopp : V -> V).
  Hypothesis vadd_assoc : forall u v w, vadd u (vadd v w) = vadd (vadd u v) w.
  Hypothesis vadd_comm : forall u v, vadd u v = vadd v u.
  Hypothesis vadd_zero : forall u, vadd u vzero = u.
  Hypothesis vadd_opp : forall u, vadd u (vopp u) = vzero.
  Hypothesis vsub_def : forall u v, vsub u v = vadd u (vopp v).

  (* A symmetric form, additive in each argument (it follows for the second). *)
  Variable ip : V -> V -> R.
  Hypothesis ip_sym : forall u v, ip u v = ip v u.
  Hypothesis ip_add_l : forall u v w, ip (vadd u v) w = add (ip u w) (ip v w).

  Lemma ip_add_r : forall u v w, ip u (vadd v w) = add (ip u v) (ip u w).
  Proof.
    intros u v w. rewrite ip_sym, ip_add_l, (ip_sym v u), (ip_sym w u). reflexivity.
  Qed.

  (* The squared error of predictor f for labels y. *)
  Definition mse (y f : V) : R := ip (vsub y f) (vsub y f).

  (* y - f_u = (y - f_v) + (f_v - f_u). *)
  Lemma residual_split : forall y fu fv, vsub y fu = vadd (vsub y fv) (vsub fv fu).
  Proof.
    intros y fu fv. rewrite !vsub_def.
    rewrite <- (vadd_assoc y (vopp fv) (vadd fv (vopp fu))).
    rewrite (vadd_assoc (vopp fv) fv (vopp fu)).
    rewrite (vadd_comm (vopp fv) fv), vadd_opp.
    rewrite (vadd_comm vzero (vopp fu)), vadd_zero.
    reflexivity.
  Qed.

  (* Lemma 2: if y - f_v is orthogonal to f_v - f_u, then
     MSE(f_u) - MSE(f_v) = ||f_v - f_u||^2. *)
  Theorem pythagorean_improvement : forall y fu fv,
    ip (vsub y fv) (vsub fv fu) = zero ->
    sub (mse y fu) (mse y fv) = ip (vsub fv fu) (vsub fv fu).
  Proof.
    intros y fu fv orth. unfold mse. rewrite (residual_split y fu fv).
    rewrite ip_add_l, !ip_add_r, (ip_sym (vsub fv fu) (vsub y fv)), orth.
    ring.
  Qed.

End Pythagorean.
