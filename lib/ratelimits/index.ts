export * from './catalogue';
export * from './endpoints';
export * from './planner';
export type {
  RateBudget,
  EndpointRate,
  Finding,
  FindingCode,
  LimitUse,
  PlanOptions,
  RunnerClientSlot,
  ScenarioPlan,
  Sizing,
  TokenCreationCheck,
  Verdict,
  WorkerPlan,
} from './model';
