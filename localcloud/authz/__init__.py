"""IAM offline: policy matching, the identity-policy evaluator, the table of what each operation
needs, and the enforcer of role-signed calls. Imports the moto door only in the enforcer; never
the data plane, the control-plane rules or the server."""
