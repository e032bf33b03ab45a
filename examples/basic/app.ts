/**
 * A wallet company's own CDK app using the construct as a library: imported by its package name
 * (resolved to the built output, dist/), placed in the company's stack next to its own resources.
 * Run from the repository root after `npm run build`:
 *   npx cdk synth --app "npx tsx examples/basic/app.ts"
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { VssAuth, VssService, VssTableEncryption } from 'vss-aws';

const app = new App();
const stack = new Stack(app, 'WalletBackend');
const vss = new VssService(stack, 'Vss', {
  auth: VssAuth.jwt(),
  lnurlAuth: { tokenTtl: Duration.hours(12) },
  tableOptions: { encryption: VssTableEncryption.customerManaged() },
  alarms: { emails: ['ops@example.com'] },
});
stack.exportValue(vss.baseUrl, { name: 'VssBaseUrl' });
app.synth();
