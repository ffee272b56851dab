#!/usr/bin/env python3
"""The Seller API from Python 3, standard library only (no pip install).

Sets up pricing as code, a customer with a card and a subscription, an API key and a
portal token; reports usage in three batches (one of them sent twice, as a retry would);
verifies the key the way an API server would on each call; and reads what the customer
is entitled to.

    SELLER_API_URL=http://127.0.0.1:5001/api/seller APP_SECRET=... python3 seller_quickstart.py
"""
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid

BASE = os.environ.get("SELLER_API_URL", "http://127.0.0.1:5001/api/seller").rstrip("/")
SECRET = os.environ["APP_SECRET"]


class SellerApiError(Exception):
    def __init__(self, status, error):
        super().__init__(f"{status} {error.get('code')}: {error.get('message')}")
        self.status = status
        self.error = error


def call(method, path, body=None, idempotency_key=None):
    """One Seller API call: JSON in, JSON out; an error answer raises SellerApiError."""
    headers = {"Authorization": f"Bearer {SECRET}", "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json"
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    request = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as failure:
        raise SellerApiError(failure.code, json.load(failure).get("error", {})) from None


CATALOGUE = {
    "app": {"name": "Acme Weather API", "metrics": [{"key": "api_calls", "name": "API calls", "unit": "calls"}]},
    "plans": [
        {
            "id": "starter",
            "name": "Starter",
            "features": ["Email support"],
            "quotas": {"api_calls": 1000},
            "trialDays": 14,
            "prices": [{"id": "starter_month", "period": "month", "amount": 900, "currency": "usd"}],
        },
        {
            "id": "pro",
            "name": "Pro",
            "quotas": {"api_calls": 100000},
            "prices": [{"id": "pro_month", "period": "month", "amount": 4900, "currency": "usd"}],
        },
    ],
}


def main():
    uid = "ada@example.com"
    customer_path = "/v1/customers/" + urllib.parse.quote(uid, safe="")

    diff = call("PUT", "/v1/catalogue?dry_run=1", CATALOGUE)
    print(f"catalogue dry run: would create plans {', '.join(diff['plans']['created'])}")
    diff = call("PUT", "/v1/catalogue", CATALOGUE)
    print(f"catalogue applied: changed={diff['changed']}")
    again = call("PUT", "/v1/catalogue", CATALOGUE)
    print(f"catalogue applied again: changed={again['changed']}")

    customer = call("PUT", customer_path, {"email": uid, "name": "Ada Lovelace"})
    print(f"customer: {customer['id']} ({customer['name']})")

    card = call("POST", customer_path + "/payment-methods", {"payment_method": "pm_card_visa"})
    print(f"card: {card['brand']} ending {card['last4']}")
    # One key per intent: a retry after a timeout cannot subscribe twice.
    subscription = call("POST", customer_path + "/subscription", {"price_id": "starter_month"}, idempotency_key=str(uuid.uuid4()))
    print(f"subscription: {subscription['status']} on {subscription['price_id']}")

    key = call("POST", customer_path + "/api-keys", {"name": "Production"})
    print(f"api key: {key['masked']}")
    token = call("POST", "/v1/portal-tokens", {"customer": uid})
    print(f"portal token: {len(token['token'].split('.'))} parts, expires_at={token['expires_at']}")

    batches = [
        [
            {"customer": uid, "metric": "api_calls", "amount": 10, "id": "evt_0001"},
            {"customer": uid, "metric": "api_calls", "amount": 5, "id": "evt_0002"},
        ],
        [
            {"customer": uid, "metric": "api_calls", "amount": 20, "id": "evt_0003"},
            {"customer": uid, "metric": "cpu_seconds", "amount": 3, "id": "evt_0004"},
        ],
    ]
    batches.append(batches[0])  # the first batch again, as a retry after a lost answer would send it
    for number, events in enumerate(batches, start=1):
        result = call("POST", "/v1/usage", {"events": events})
        refused = "; ".join(f"#{r['index']} {r['field']}: {r['message']}" for r in result["rejected"])
        print(f"usage batch {number}: accepted={result['accepted']} duplicates={result['duplicates']} rejected={len(result['rejected'])}" + (f" ({refused})" if refused else ""))

    verdict = call("POST", "/v1/keys/verify", {"key": key["secret"], "metric": "api_calls", "amount": 1, "id": "evt_0005"})
    print(f"verify: valid={verdict['valid']} customer={verdict['customer']['id']} allowed={verdict['check']['allowed']} tracked={verdict['tracked']}")
    forged = call("POST", "/v1/keys/verify", {"key": key["secret"][:-4] + "XXXX"})
    print(f"verify a forged key: valid={forged['valid']}")

    entitlements = call("GET", customer_path + "/entitlements")
    for metric in entitlements["metrics"]:
        print(f"entitlement: {metric['metric']} used={metric['used']} limit={metric['limit']} remaining={metric['remaining']}")

    try:
        call("POST", "/v1/usage", {"events": [{"customer": uid, "metric": "api_calls", "amount": 1}] * 1001})
    except SellerApiError as refused:
        print(f"a batch of 1001 events: {refused.status} {refused.error.get('field')}")


if __name__ == "__main__":
    try:
        main()
    except SellerApiError as failure:
        print(f"Seller API error: {failure}", file=sys.stderr)
        sys.exit(1)
