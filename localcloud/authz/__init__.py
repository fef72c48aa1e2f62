"""IAM authorization, offline: a policy evaluator, the table of what each operation needs, and the
enforcer that checks calls signed with an assumed role's credentials before moto serves them."""
