"""Integration fixtures: repositories on the real session, Redis and LocalStack S3.

Start the services first: ``docker compose -f docker-compose.test.yml up -d``.
"""

import boto3
import pytest
import redis

from tests.helpers.db import seed_plans, truncate_all
from tiersapp.repositories import CustomerRepository, SubscriptionRepository


@pytest.fixture(autouse=True)
def _clean_tables(db_session):
    """Start every integration test from empty tables."""
    truncate_all(db_session)
    yield


@pytest.fixture
def plans_in_db(db_session):
    return {plan.code: plan for plan in seed_plans(db_session)}


@pytest.fixture
def customer_repo(db_session):
    return CustomerRepository(db_session)


@pytest.fixture
def subscription_repo(db_session):
    return SubscriptionRepository(db_session)


@pytest.fixture(scope="session")
def redis_client(settings):
    client = redis.Redis.from_url(settings.redis_url, decode_responses=True)
    client.ping()
    yield client
    client.close()


@pytest.fixture
def clean_redis(redis_client):
    redis_client.flushdb()
    return redis_client


@pytest.fixture(scope="session")
def s3_client():
    return boto3.client(
        "s3",
        endpoint_url="http://localhost:4566",
        region_name="eu-central-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


@pytest.fixture
def archive_bucket(s3_client):
    name = "tiers-invoices-it"
    s3_client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    yield name
    for item in s3_client.list_objects_v2(Bucket=name).get("Contents", []):
        s3_client.delete_object(Bucket=name, Key=item["Key"])
    s3_client.delete_bucket(Bucket=name)
