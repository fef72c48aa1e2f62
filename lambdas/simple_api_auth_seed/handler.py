"""The seed tutorial's sign-in handler, translated from Node.js as written, mistakes and all.

Deployed first in notebook 06 to show what it gets wrong; ``lambdas/simple_api_auth/`` is the fix.

- ``ADMIN_NO_SRP_AUTH`` is the old name of ``ADMIN_USER_PASSWORD_AUTH`` (Cognito accepts both).
- Any error (a wrong password, an unknown user) escapes the handler, so API Gateway answers
  ``502 {"message": "Internal server error"}``.
- A challenge (``NEW_PASSWORD_REQUIRED``) is answered ``200``, with no tokens.
- Only the pool and client ids come from the environment here, instead of being pasted in.
"""

import json
import os

import boto3

cognito = boto3.client("cognito-idp")


def handler(event, context):
    params = {
        "AuthFlow": "ADMIN_NO_SRP_AUTH",
        "ClientId": os.environ["CLIENT_ID"],
        "UserPoolId": os.environ["USER_POOL_ID"],
        "AuthParameters": {
            "USERNAME": event["queryStringParameters"]["username"],
            "PASSWORD": event["queryStringParameters"]["password"],
        },
    }
    auth_response = cognito.admin_initiate_auth(**params)
    auth_response.pop("ResponseMetadata", None)  # the Node.js SDK's answer has no such key
    response = {
        "statusCode": 200,
        "body": json.dumps(auth_response),
    }
    return response
