/**
 * The standalone deployment: one stack holding a `VssService`, plus the outputs operators hand to
 * clients. Environment-agnostic unless bin/ passes an account and region, so `cdk synth` needs no
 * credentials.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { VssService, type VssServiceProps } from './vss-service.js';

export interface VssStackProps extends StackProps {
  /**
   * Builds the service's props in this stack's scope, so imported resources (an existing table,
   * key, pool or topic) can be referenced from here: `service: () => ({ auth: VssAuth.signature() })`.
   */
  readonly service: (scope: Construct) => VssServiceProps;
}

export class VssStack extends Stack {
  readonly service: VssService;

  constructor(scope: Construct, id: string, props: VssStackProps) {
    super(scope, id, props);
    // Stable ID 'Vss': every resource's logical ID derives from it (see lib/vss-service.ts).
    this.service = new VssService(this, 'Vss', props.service(this));
    new CfnOutput(this, 'VssBaseUrl', { value: this.service.baseUrl, description: 'Base URL to give VSS clients (LDK Node vss_url)' });
    new CfnOutput(this, 'TableName', { value: this.service.table.tableName, description: 'DynamoDB table holding all records' });
    new CfnOutput(this, 'AuthMode', { value: this.service.authMode, description: 'How clients authenticate' });
    if (this.service.lnurlAuthUrl) {
      new CfnOutput(this, 'LnurlAuthUrl', {
        value: this.service.lnurlAuthUrl,
        description: 'LNURL-auth server URL (LDK Node lnurl_auth_server_url)',
      });
    }
    if (this.service.userPool) {
      new CfnOutput(this, 'UserPoolId', {
        value: this.service.userPool.userPoolId,
        description: 'Cognito user pool whose ID tokens are accepted',
      });
    }
    if (this.service.domainName) {
      new CfnOutput(this, 'DomainTarget', {
        value: this.service.domainName.domainNameAliasDomainName,
        description: 'Point a CNAME/alias for the custom domain here',
      });
    }
    if (this.service.container) {
      new CfnOutput(this, 'DomainTarget', {
        value: this.service.container.loadBalancer.loadBalancerDnsName,
        description: 'Point a CNAME/alias for the custom domain here (the load balancer)',
      });
    }
    new CfnOutput(this, 'DashboardName', { value: this.service.dashboard.dashboardName });
  }
}
