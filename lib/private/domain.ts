/**
 * The custom domain: a regional API Gateway domain name with TLS 1.2, its certificate (given, or
 * DNS-validated in the hosted zone) and, with a zone, the alias record. Stable construct ID
 * 'Domain': wallets are configured with this address.
 */
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import type { Construct } from 'constructs';
import type { VssDomainOptions } from '../options.js';

export function createDomain(scope: Construct, api: apigw.RestApi, options: VssDomainOptions): apigw.DomainName {
  const certificate =
    options.certificate ??
    new acm.Certificate(scope, 'Certificate', {
      domainName: options.domainName,
      validation: acm.CertificateValidation.fromDns(options.hostedZone),
    });
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
