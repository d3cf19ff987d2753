"""DomainCertificate: a certificate per region, one validation record."""

from __future__ import annotations

from tests.components.aws.helpers import dependencies, graph


def test_one_certificate_per_region_validated_by_one_dns_record() -> None:
    g = graph("support-agent")
    certificates = g.of_type("aws:acm/certificate:Certificate")
    assert sorted(c.inputs["region"] for c in certificates) == ["us-east-1", "us-west-2"]
    assert all(
        c.inputs["validationMethod"] == "DNS" and c.inputs["domainName"] == "support.acme.example" for c in certificates
    )
    (record,) = [r for r in g.of_type("aws:route53/record:Record") if "certificate-validation" in r.name]
    validations = g.of_type("aws:acm/certificateValidation:CertificateValidation")
    assert len(validations) == 2 and all(record.urn in dependencies(v, "validationRecordFqdns") for v in validations)
