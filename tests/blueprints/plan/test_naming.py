from blueprints.plan import naming


def test_resource_names_join_and_lowercase() -> None:
    assert (
        naming.resource("support-agent", "conversation", "service", "us-east-1")
        == "support-agent-conversation-service-us-east-1"
    )
    assert naming.join("A", None, "b__c", "") == "a-b-c"


def test_fit_keeps_short_names_and_hashes_long_ones() -> None:
    assert naming.fit("short", 32) == "short"
    long = "support-agent-conversation-internal-alb-us-east-1"
    fitted = naming.fit(long, 32)
    assert len(fitted) <= 32
    assert fitted.startswith("support-agent-conversatio-")  # 25 readable characters, then the hash
    assert fitted == naming.fit(long, 32)  # deterministic
    assert fitted != naming.fit(long + "x", 32)  # distinct inputs stay distinct


def test_fit_reserves_room_for_a_suffix() -> None:
    name = naming.physical("a" * 30, "b" * 60, None, "sqs", suffix=".fifo")
    assert len(name) <= 80 and name.endswith(".fifo")


def test_zone_suffix_and_region_code() -> None:
    assert naming.zone_suffix("us-east-1a", "us-east-1") == "a"
    assert naming.zone_suffix("zone-x", "eu") == "zone-x"
    assert naming.region_code("us-east-1") == "use1"
    assert naming.region_code("ap-southeast-2") == "apse2"
    assert naming.region_code("eu-central-1") == "euc1"
