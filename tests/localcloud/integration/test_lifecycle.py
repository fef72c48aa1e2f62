"""Warm workers follow their function's life: deleting the function stops them."""

from tests.support import create_function


def test_deleting_a_function_stops_its_warm_workers(localcloud, lambda_role):
    fn = create_function(localcloud, lambda_role, "def handler(e, c):\n    return 'ok'\n")
    lam = localcloud.client("lambda")
    before = localcloud.stats()["lambda"]["warm_workers"]
    assert lam.invoke(FunctionName=fn["FunctionName"])["Payload"].read() == b'"ok"'
    assert localcloud.stats()["lambda"]["warm_workers"] == before + 1
    lam.delete_function(FunctionName=fn["FunctionName"])
    assert localcloud.stats()["lambda"]["warm_workers"] == before
