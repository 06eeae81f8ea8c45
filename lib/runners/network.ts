import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';

export interface RunnerNetworkProps {
  /** Prefix of the Name tags, e.g. `loadlab-example`. */
  readonly namePrefix: string;
  readonly securityGroupName: string;
  /** An existing VPC and subnets (`aws.network`). Default: a minimal VPC of our own. */
  readonly existing?: { readonly vpcId: string; readonly subnetIds: readonly string[] };
  /** CIDR of the VPC we create. Default `10.42.0.0/16`. */
  readonly cidrBlock?: string;
}

/**
 * Where the JMeter tasks run. Without `aws.network`: a VPC with two public subnets in two
 * availability zones and an internet gateway, and deliberately no NAT gateway (a NAT gateway
 * bills by the hour while idle; tasks get public IPs instead). Either way a security group
 * with no ingress and egress HTTPS only: runners only call Genesys Cloud, ECR, S3, Secrets
 * Manager and CloudWatch Logs, all on 443.
 */
export class RunnerNetwork extends Construct {
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  readonly securityGroup: SecurityGroup;
  /** Tasks need public IPs to reach the internet (there is no NAT gateway). */
  readonly assignPublicIp: boolean;

  constructor(scope: Construct, id: string, props: RunnerNetworkProps) {
    super(scope, id);
    if (props.existing) {
      this.vpcId = props.existing.vpcId;
      this.subnetIds = [...props.existing.subnetIds];
      // We cannot know whether existing subnets route through a NAT gateway; a public IP is
      // harmless there (no ingress rules) and required in public subnets.
      this.assignPublicIp = true;
    } else {
      const vpc = new Vpc(this, 'vpc', {
        cidrBlock: props.cidrBlock ?? '10.42.0.0/16',
        enableDnsSupport: true,
        enableDnsHostnames: true,
        tags: { Name: `${props.namePrefix}-runners` },
      });
      // The VPC's default security group allows all traffic between its members: strip it.
      new DefaultSecurityGroup(this, 'default-sg', { vpcId: vpc.id, ingress: [], egress: [] });
      const igw = new InternetGateway(this, 'igw', { vpcId: vpc.id, tags: { Name: `${props.namePrefix}-runners` } });
      const routes = new RouteTable(this, 'public-routes', {
        vpcId: vpc.id,
        route: [{ cidrBlock: '0.0.0.0/0', gatewayId: igw.id }],
        tags: { Name: `${props.namePrefix}-runners-public` },
      });
      const zones = new DataAwsAvailabilityZones(this, 'zones', { state: 'available' });
      this.subnetIds = [0, 1].map((i) => {
        const subnet = new Subnet(this, `public-${i}`, {
          vpcId: vpc.id,
          cidrBlock: Fn.cidrsubnet(vpc.cidrBlock, 8, i),
          availabilityZone: Fn.element(zones.names, i),
          // Only tasks that ask for one (assignPublicIp in RunTask) get a public address.
          mapPublicIpOnLaunch: false,
          tags: { Name: `${props.namePrefix}-runners-public-${i}` },
        });
        new RouteTableAssociation(this, `public-${i}-routes`, { subnetId: subnet.id, routeTableId: routes.id });
        return subnet.id;
      });
      this.vpcId = vpc.id;
      this.assignPublicIp = true;
    }
    this.securityGroup = new SecurityGroup(this, 'sg', {
      name: props.securityGroupName,
      description: 'JMeter runners: no ingress, HTTPS egress only',
      vpcId: this.vpcId,
      ingress: [],
      // DNS needs no rule: security groups do not filter traffic to the VPC's Amazon resolver.
      egress: [
        {
          description: 'HTTPS to Genesys Cloud and AWS APIs',
          protocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          cidrBlocks: ['0.0.0.0/0'],
          ipv6CidrBlocks: [],
          prefixListIds: [],
          securityGroups: [],
          selfAttribute: false,
        },
      ],
      revokeRulesOnDelete: true,
      tags: { Name: props.securityGroupName },
    });
  }
}
