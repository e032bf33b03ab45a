/**
 * The custom domain: a regional API Gateway domain name with TLS 1.2, its certificate (given, or
 * DNS-validated in the hosted zone) and, with a zone, the alias record. Stable construct ID
 * 'Domain': wallets are configured with this address. The container door uses the same
 * certificate and record for its load balancer (`domainCertificate`, `aliasLoadBalancer`).
 */
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { Construct } from 'constructs';
import type { VssDomainOptions } from '../options.js';

/** The certificate of the domain: given, or DNS-validated in the hosted zone. */
export function domainCertificate(scope: Construct, options: VssDomainOptions): acm.ICertificate {
  return (
    options.certificate ??
    new acm.Certificate(scope, 'Certificate', {
      domainName: options.domainName,
      validation: acm.CertificateValidation.fromDns(options.hostedZone),
    })
  );
}

/** With a hosted zone, the alias record of the domain pointing at the container door's load balancer. */
export function aliasLoadBalancer(scope: Construct, loadBalancer: elbv2.ApplicationLoadBalancer, options: VssDomainOptions): void {
  if (!options.hostedZone) return;
  new route53.ARecord(scope, 'DomainRecord', {
    zone: options.hostedZone,
    recordName: options.domainName,
    target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(loadBalancer)),
  });
}

export function createDomain(scope: Construct, api: apigw.RestApi, options: VssDomainOptions): apigw.DomainName {
  const certificate = domainCertificate(scope, options);
  const domain = new apigw.DomainName(scope, 'Domain', {
    domainName: options.domainName,
    certificate,
    endpointType: apigw.EndpointType.REGIONAL,
    securityPolicy: apigw.SecurityPolicy.TLS_1_2,
    mapping: api,
  });
  if (options.hostedZone) {
    new route53.ARecord(scope, 'DomainRecord', {
      zone: options.hostedZone,
      recordName: options.domainName,
      target: route53.RecordTarget.fromAlias(new route53Targets.ApiGatewayDomain(domain)),
    });
  }
  return domain;
}
