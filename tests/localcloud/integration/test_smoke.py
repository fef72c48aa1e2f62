import requests


def test_health_and_moto_behind_it(localcloud):
    health = requests.get(f"{localcloud.endpoint}/_localcloud/health").json()
    assert health["service"] == "localcloud" and health["port"] == localcloud.port
    pool = localcloud.client("cognito-idp").create_user_pool(PoolName="smoke")["UserPool"]
    assert pool["Arn"].endswith(pool["Id"])
