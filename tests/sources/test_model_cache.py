"""The on-disk cache of botocore service models: same operations and shapes, no prose, never stale or fatal."""

from __future__ import annotations

import os

import botocore.loaders
import pytest

from wasp.sources.aws import model_cache
from wasp.sources.aws.session import AwsTarget


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path


def _loader() -> botocore.loaders.Loader:
    loader = botocore.loaders.create_loader()
    model_cache.install(loader)
    return loader


def test_cached_model_keeps_every_shape_and_drops_only_documentation(cache):
    """A model served from the cache has botocore's operations and shapes; documentation texts are empty."""
    original = botocore.loaders.create_loader().load_service_model("sts", "service-2")
    first = _loader().load_service_model("sts", "service-2")
    assert (model_cache.cache_dir() / "sts-latest.marshal").exists()
    second = _loader().load_service_model("sts", "service-2")  # a new process's loader: read from disk
    assert first == second
    assert second["operations"].keys() == original["operations"].keys()
    assert second["shapes"].keys() == original["shapes"].keys()
    assert second["shapes"]["AssumeRoleRequest"]["members"].keys() == \
        original["shapes"]["AssumeRoleRequest"]["members"].keys()
    assert original["operations"]["AssumeRole"]["documentation"]
    assert second["operations"]["AssumeRole"]["documentation"] == ""


def test_a_member_named_documentation_is_a_name_and_survives():
    """Only texts are emptied: a structure member called "documentation" keeps its definition."""
    model = {"shapes": {"S": {"type": "structure", "documentation": "prose",
                              "members": {"documentation": {"shape": "String", "documentation": "x"}}}}}
    lean = model_cache.strip_documentation(model)
    assert lean["shapes"]["S"]["documentation"] == ""
    assert lean["shapes"]["S"]["members"]["documentation"] == {"shape": "String", "documentation": ""}


def test_a_corrupt_cache_file_falls_back_to_botocore_and_is_rewritten(cache):
    """Garbage in the cache costs the speed-up only: the model is parsed again and the file replaced."""
    _loader().load_service_model("sts", "service-2")
    path = model_cache.cache_dir() / "sts-latest.marshal"
    path.write_bytes(b"not a marshal stream")
    model = _loader().load_service_model("sts", "service-2")
    assert "AssumeRole" in model["operations"]
    assert model_cache._load("sts", None) is not None


def test_a_model_from_another_search_path_is_never_cached(cache, tmp_path_factory):
    """A user's own model folder (AWS_DATA_PATH, ~/.aws/models) wins over botocore's: no cache is used for it."""
    custom = tmp_path_factory.mktemp("models")
    (custom / "sts" / "2011-06-15").mkdir(parents=True)
    (custom / "sts" / "2011-06-15" / "service-2.json").write_text("{}")
    (custom / "sqs" / "2012-11-05").mkdir(parents=True)
    (custom / "sqs" / "2012-11-05" / "resources-1.json").write_text("{}")  # not a service model (as boto3's)
    loader = botocore.loaders.create_loader(str(custom))
    model_cache.install(loader)
    loader.load_service_model("sqs", "service-2")
    assert (model_cache.cache_dir() / "sqs-latest.marshal").exists()
    assert not model_cache._only_botocore_has(loader, "sts")


def test_boto3_resource_models_do_not_stop_the_cache(cache):
    """boto3's own data folder (resource models for s3, ec2, iam...) does not count as a user's service model."""
    import boto3

    loader = boto3.Session(region_name="us-east-1")._session.get_component("data_loader")
    assert any(os.path.isdir(os.path.join(p, "s3")) and os.path.realpath(p) != model_cache._OWN_DATA
               for p in loader.search_paths)  # boto3's resource models are on the path
    model_cache.install(loader)
    loader.load_service_model("iam", "service-2")
    loader.load_service_model("s3", "service-2")
    assert {"iam-latest.marshal", "s3-latest.marshal"} <= {p.name for p in model_cache.cache_dir().iterdir()}


def test_an_unwritable_cache_folder_still_serves_models(cache):
    """When the cache folder cannot be written, clients are still built and answer."""
    blocker = cache / "wasp"
    blocker.write_text("a file where the folder should be")
    assert "AssumeRole" in _loader().load_service_model("sts", "service-2")["operations"]
    assert not os.path.isdir(blocker)


def test_clients_built_through_the_cache_call_the_emulator(cache, aws: AwsTarget):
    """An AwsTarget's clients (models from the cache) make real calls to the moto server."""
    target = AwsTarget(aws.session, endpoint_url=aws.endpoint_url)
    assert target.account_id() == "123456789012"
    target.client("s3").create_bucket(Bucket="through-the-cache")
    assert [b["Name"] for b in target.client("s3").list_buckets()["Buckets"]] == ["through-the-cache"]


def test_a_namespace_keeps_a_changed_model_apart(cache):
    """The emulator's models (moto's loader adds its extras) are cached in their own folder: a plain loader is
    never served them, nor they the plain model."""
    from moto.core.loaders import create_loader as moto_loader

    emulator = moto_loader()
    model_cache.install(emulator, namespace="moto-test")
    extended = emulator.load_service_model("sts", "service-2")
    assert (model_cache.cache_dir() / "moto-test" / "sts-latest.marshal").exists()
    assert not (model_cache.cache_dir() / "sts-latest.marshal").exists()
    plain = _loader().load_service_model("sts", "service-2")
    assert (model_cache.cache_dir() / "sts-latest.marshal").exists()
    again = moto_loader()
    model_cache.install(again, namespace="moto-test")
    assert again.load_service_model("sts", "service-2") == extended
    assert plain["operations"].keys() == extended["operations"].keys()
