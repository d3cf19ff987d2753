"""DomainCertificate: an ACM certificate for the ingress domain in every region that serves it.

ACM certificates are regional, so each region's load balancer gets its own, all validated through
one DNS record in the hosted zone: ACM's validation CNAME for a domain is the same in every region
of an account ("the CNAME validation token works for any AWS Region"), so one Route 53 record
validates them all and keeps renewing them. The HTTPS listeners use the validated ARN, so no
listener is created before its certificate is issued.

Validation needs the public hosted zone of the domain's zone name (ACM cannot validate through a
private zone), even when the ingress itself is internal.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_aws import acm, route53

from blueprints.plan import naming
from components.aws.tags import TagContext

TOKEN = "agentha:aws:DomainCertificate"


@dataclass(frozen=True)
class DomainCertificateArgs:
    domain: str
    hosted_zone: str
    regions: tuple[str, ...]
    tags: TagContext


class DomainCertificate(pulumi.ComponentResource):
    """One validated certificate per region for the ingress domain."""

    certificate_arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: DomainCertificateArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TOKEN, name, None, opts)
        system = args.tags.system
        zone = route53.get_zone_output(
            name=args.hosted_zone, private_zone=False, opts=pulumi.InvokeOptions(parent=self)
        )
        certificates: dict[str, acm.Certificate] = {}
        for region in args.regions:
            certificates[region] = acm.Certificate(
                naming.resource(system, "ingress", "certificate", region),
                acm.CertificateArgs(
                    domain_name=args.domain,
                    validation_method="DNS",
                    key_algorithm="RSA_2048",
                    region=region,
                    tags=args.tags.tags("routing", "certificate", region=region, spec_path="ingress"),
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
        first = certificates[args.regions[0]]
        option = first.domain_validation_options.apply(lambda opts: opts[0])
        record = route53.Record(
            naming.resource(system, "ingress", "certificate-validation"),
            route53.RecordArgs(
                zone_id=zone.zone_id,
                name=option.apply(lambda o: o.resource_record_name or ""),
                type=option.apply(lambda o: o.resource_record_type or "CNAME"),
                records=[option.apply(lambda o: o.resource_record_value or "")],
                ttl=300,
                allow_overwrite=True,  # the record may already exist from an earlier certificate
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.certificate_arns = {}
        for region, certificate in certificates.items():
            validation = acm.CertificateValidation(
                naming.resource(system, "ingress", "certificate-validated", region),
                acm.CertificateValidationArgs(
                    certificate_arn=certificate.arn, validation_record_fqdns=[record.fqdn], region=region
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.certificate_arns[region] = validation.certificate_arn
        self.register_outputs({"certificate_arns": self.certificate_arns})
