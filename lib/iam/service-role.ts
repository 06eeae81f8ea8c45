import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { oneOrList, serviceTrustPolicy, toPolicyJson, type IGrantable, type PolicyStatement } from './policy';

export interface ServiceRoleProps {
  readonly roleName: string;
  /** The one service that may assume the role, e.g. `lambda.amazonaws.com`. */
  readonly service: string;
  readonly description: string;
  /**
   * The account whose resources may make the service assume the role (`aws:SourceAccount`, the
   * confused-deputy guard). Default: unchecked. Set it wherever the service sends the key.
   */
  readonly sourceAccount?: string;
  /**
   * ARN patterns (`*` allowed) of the resources the service acts for (`aws:SourceArn`, ArnLike):
   * a state machine, the tasks of one cluster. Default: unchecked. Build them from names, not
   * from the resource's own `arn` attribute, which would make the resource and its role depend
   * on each other.
   */
  readonly sourceArn?: string | readonly string[];
}

/** The trust statement's conditions for `sourceAccount` / `sourceArn`. */
export function sourceConditions(p: Pick<ServiceRoleProps, 'sourceAccount' | 'sourceArn'>): PolicyStatement['conditions'] {
  const arns = p.sourceArn === undefined ? [] : typeof p.sourceArn === 'string' ? [p.sourceArn] : [...p.sourceArn];
  const conditions = {
    ...(p.sourceAccount ? { StringEquals: { 'aws:SourceAccount': p.sourceAccount } } : {}),
    ...(arns.length > 0 ? { ArnLike: { 'aws:SourceArn': oneOrList(arns) } } : {}),
  };
  return Object.keys(conditions).length > 0 ? conditions : undefined;
}

/**
 * An IAM role for one AWS service. Constructs that own a resource grant access to it through
 * `addToPolicy` (e.g. `bucket.grantWrite(role, prefix)`); the statements are written into one
 * inline policy when the stack synthesizes, so a policy lists everything a role may do.
 */
export class ServiceRole extends Construct implements IGrantable {
  readonly role: IamRole;
  private readonly statements: PolicyStatement[] = [];

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: serviceTrustPolicy(props.service, sourceConditions(props)),
    });
    new IamRolePolicy(this, 'policy', {
      name: 'least-privilege',
      role: this.role.id,
      policy: Lazy.stringValue({ produce: () => toPolicyJson(this.statements) }),
    });
    // A role with an empty inline policy is a mistake: fail synth, naming the role.
    this.node.addValidation({
      validate: () => (this.statements.length === 0 ? [`role ${props.roleName} was granted nothing`] : []),
    });
  }

  get roleArn(): string {
    return this.role.arn;
  }

  get roleName(): string {
    return this.role.name;
  }

  /**
   * Adds a statement. Granting the same thing twice adds it once; a statement id already used
   * by a different statement gets a numeric suffix, since IAM requires unique ids in a policy.
   */
  addToPolicy(statement: PolicyStatement): void {
    const same = (a: PolicyStatement): boolean =>
      JSON.stringify({ ...a, sid: undefined }) === JSON.stringify({ ...statement, sid: undefined });
    if (this.statements.some(same)) return;
    let sid = statement.sid;
    for (let n = 2; sid !== undefined && this.statements.some((s) => s.sid === sid); n++) sid = `${statement.sid}${n}`;
    this.statements.push({ ...statement, sid });
  }
}
