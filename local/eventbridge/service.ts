/**
 * The local EventBridge: the default bus and the stack's custom buses,
 * their rules and targets, archives and replays. Other services put events
 * through {@link EventBridgeService.putEvents} (the EventBusSink contract);
 * the API layer (api.ts) calls the remaining public methods.
 */
import { randomUUID } from 'node:crypto';
import { arnField } from '../arn.js';
import type { Clock } from '../clock.js';
import type {
  EventBusSink,
  InvokeCaller,
  LogSink,
  PutEventsEntry,
  PutEventsResult,
  PutEventsResultEntry,
  RoleCheck,
  Sinks,
  Tracer,
} from '../contracts.js';
import type { StackModel } from '../cloudformation/types.js';
import { environmentOfArn } from '../cloudformation/environments.js';
import { AwsError } from '../protocol/errors.js';
import { ArchiveStore, checkReplayInput, toMs, type ReplayRecord, type StartReplayInput } from './archive.js';
import { deliver, HOP_DETECTED, retryKey, type DeliveryDeps, type TargetRetryState } from './delivery.js';
import type { Collection, Owner, StateStore } from '../state/types.js';
import {
  API_RULES_OWNER,
  apiRuleDeliveriesOwner,
  buildRule,
  checkName,
  persistedRule,
  targetOrFailure,
  type PersistedRule,
  type PutRuleInput,
} from './api-rules.js';
import { buildEnvelope, checkEntryShapes, entrySize, isoSeconds, MAX_REQUEST_BYTES, validateEntry, type EventEnvelope } from './envelope.js';
import {
  busNameOf,
  type ArchiveModel,
  loadArchives,
  loadBuses,
  loadRules,
  MAX_TARGETS_PER_RULE,
  type EventBusModel,
  type RuleModel,
  type TargetModel,
} from './model.js';
import { testEventPattern } from './pattern.js';

export interface EventBridgeDeps {
  readonly sinks: Sinks;
  readonly clock: Clock;
  readonly tracer?: Tracer;
  readonly logs?: LogSink;
  /** Where target deliveries waiting for a retry are kept across restarts. */
  readonly state?: StateStore;
  /** IAM for targets with a RoleArn. */
  readonly checkRole?: RoleCheck;
}

/** A rule's verdict on an event, as the event's trace lists it. */
interface RuleVerdict {
  readonly name: string;
  readonly arn: string;
  readonly matched: boolean;
  readonly mismatch?: NonNullable<ReturnType<NonNullable<RuleModel['pattern']>['explain']>>;
}

type ServedEnv = { readonly account: string; readonly region: string; readonly partition: string };

/** What PutTargets and RemoveTargets answer. */
interface FailedEntries {
  readonly FailedEntryCount: number;
  readonly FailedEntries: { readonly TargetId?: string; readonly ErrorCode: string; readonly ErrorMessage: string }[];
}

interface IngestOptions {
  /** Set for replayed events: only rules (optionally only these) receive them. */
  readonly replay?: { readonly name: string; readonly filterArns?: readonly string[] };
}

export class EventBridgeService implements EventBusSink {
  static readonly handledTypes: readonly string[] = ['AWS::Events::EventBus', 'AWS::Events::Rule', 'AWS::Events::Archive'];

  /** Build from the stack; throws UnsupportedTemplateError for anything not honoured. */
  static fromStack(stack: StackModel, deps: EventBridgeDeps): EventBridgeService {
    const buses = loadBuses(stack);
    const rules = loadRules(stack, buses);
    const archives = loadArchives(stack, buses);
    return new EventBridgeService(stack.env, buses, rules, archives, deps);
  }

  private readonly archives: ArchiveStore[];
  /** Per bus ARN: the account and region its events carry, its rules and archives, found once so an event's work scans only its bus. */
  private readonly byBus = new Map<string, { bus: EventBusModel; env: ServedEnv; rules: RuleModel[]; archives: ArchiveStore[] }>();
  /** Per `region/name`: the bus a bare name means in a request of that region (one account serves a region). */
  private readonly busByRegionAndName = new Map<string, EventBusModel>();
  private readonly replays = new Map<string, ReplayRecord>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly deliveryDeps: DeliveryDeps;
  private readonly disposed = new AbortController();
  private readonly timers: NodeJS.Timeout[] = [];
  /** Per rule ARN: its deliveries waiting for a retry, kept across restarts. */
  private readonly retryStores = new Map<string, Collection<TargetRetryState>>();
  /** Template rules, then the rules PutRule made, in the order ListRules answers them. */
  private readonly allRules: RuleModel[];
  /** Per ARN: the rules PutRule made (the rest belong to the stack). */
  private readonly apiRules = new Map<string, RuleModel>();
  /** Per ARN: the schedule timer of a scheduled rule PutRule made. */
  private readonly apiTimers = new Map<string, NodeJS.Timeout>();
  /** Where the rules PutRule made are kept, when the runtime keeps state. */
  private readonly ruleRecords: Collection<PersistedRule> | undefined;
  /** Per archive: its replays, kept so DescribeReplay answers and an unfinished replay resumes after a restart. */
  private readonly replayStores = new Map<ArchiveStore, Collection<ReplayRecord>>();
  /** Events that already reached a bus through an event bus target. */
  private readonly forwarded = new WeakSet<EventEnvelope>();

  constructor(
    private readonly env: ServedEnv,
    readonly buses: readonly EventBusModel[],
    rules: readonly RuleModel[],
    archives: readonly ArchiveModel[],
    private readonly deps: EventBridgeDeps,
  ) {
    this.allRules = [...rules];
    this.archives = archives.map(
      (a) => new ArchiveStore(a, deps.state?.collection('eventbridge-archive-event', { logicalId: a.logicalId, type: 'AWS::Events::Archive' })),
    );
    for (const bus of buses) {
      const env = this.envOfArn(bus.arn);
      const key = `${env.region}/${bus.name}`;
      if (!this.busByRegionAndName.has(key)) this.busByRegionAndName.set(key, bus);
      this.byBus.set(bus.arn, {
        bus,
        env,
        rules: rules.filter((r) => r.busArn === bus.arn),
        archives: this.archives.filter((a) => a.model.sourceArn === bus.arn),
      });
    }
    for (const rule of rules) if (rule.schedulePeriodMs !== undefined) this.timers.push(this.schedule(rule, rule.schedulePeriodMs));
    const self = this;
    this.deliveryDeps = {
      // Sinks are filled in after construction: read them at call time.
      get sinks() {
        return self.deps.sinks;
      },
      clock: deps.clock,
      ...(deps.tracer ? { tracer: deps.tracer } : {}),
      forwardToBus: (busArn, event) => this.forward(busArn, event),
      signal: this.disposed.signal,
      retryStore: (rule) => this.retryStores.get(rule.arn),
      ...(deps.checkRole ? { checkRole: deps.checkRole } : {}),
    };
    if (deps.state) {
      for (const archive of this.archives) {
        this.replayStores.set(archive, deps.state.collection<ReplayRecord>('eventbridge-replay', { logicalId: archive.model.logicalId, type: 'AWS::Events::Archive' }));
      }
      for (const rule of rules) {
        this.retryStores.set(rule.arn, deps.state.collection<TargetRetryState>('eventbridge-delivery', { logicalId: rule.logicalId, type: 'AWS::Events::Rule' }));
      }
      this.ruleRecords = deps.state.collection<PersistedRule>('eventbridge-rule', API_RULES_OWNER);
      // Before any event is accepted: the rules a previous run made match from the first one.
      this.restoreApiRules(this.ruleRecords);
    }
  }

  /** Every rule: the stack's, then those PutRule made. */
  get rules(): readonly RuleModel[] {
    return this.allRules;
  }

  /**
   * Take up archived events, replays, and target deliveries a previous run left
   * waiting for a retry; returns the counts. A replay the previous run left
   * STARTING or RUNNING goes on RUNNING after the last event it sent.
   */
  resume(): { archivedEvents: number; targetRetries: number; replays: number } {
    const archivedEvents = this.archives.reduce((n, a) => n + a.resume(), 0);
    let replays = 0;
    for (const [archive, store] of this.replayStores) {
      for (const record of store.all()) {
        this.replays.set(record.name, record);
        replays += 1;
        if (record.state === 'STARTING' || record.state === 'RUNNING') this.track(this.runReplay(record, archive));
      }
    }
    let resumed = 0;
    for (const rule of this.allRules) {
      const store = this.retryStores.get(rule.arn);
      if (!store) continue;
      for (const saved of store.all()) {
        const target = rule.targets.find((t) => t.id === saved.targetId);
        if (!target) {
          // The target left the rule: nothing to deliver to.
          store.remove(retryKey(saved.targetId, saved.event.id));
          continue;
        }
        this.track(deliver(this.deliveryDeps, rule, target, saved.event, saved.ingestionMs, saved));
        resumed += 1;
      }
    }
    return { archivedEvents, targetRetries: resumed, replays };
  }

  // ------------------------------------------------------------------ PutEvents

  async putEvents(entries: readonly PutEventsEntry[], _caller?: InvokeCaller, region?: string): Promise<PutEventsResult> {
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
      const bound = Array.isArray(entries) && entries.length > 10 ? 'less than or equal to 10' : 'greater than or equal to 1';
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length ${bound}`,
      );
    }
    checkEntryShapes(entries);
    // Loops rather than reduce/map/filter: no closure or intermediate array per call.
    let total = 0;
    for (const entry of entries) total += entrySize(entry);
    if (total > MAX_REQUEST_BYTES) {
      throw new AwsError('ValidationException', 'Total size of the entries in the request is over the limit.');
    }
    const now = this.deps.clock.now();
    const results: PutEventsResultEntry[] = [];
    let failed = 0;
    for (const entry of entries) {
      const result = this.putEntry(entry, region, now);
      if (result.ErrorCode) failed++;
      results.push(result);
    }
    return { FailedEntryCount: failed, Entries: results };
  }

  /** One entry of PutEvents: its error, or its event id once the event is on its way. */
  private putEntry(entry: PutEventsEntry, region: string | undefined, now: number): PutEventsResultEntry {
    const checked = validateEntry(entry);
    if ('error' in checked) return checked.error;
    const bus = this.findBus(entry.EventBusName, region);
    if (!bus) {
      return {
        ErrorCode: 'ResourceNotFoundException',
        ErrorMessage: `Event bus ${busNameOf(entry.EventBusName)} does not exist.`,
      };
    }
    const event = buildEnvelope(entry, checked.detail, this.byBus.get(bus.arn)!.env, now);
    this.ingest(bus, event, now, {});
    return { EventId: event.id };
  }

  /** TestEventPattern, as the API answers it. */
  testEventPattern(eventPattern: string, event: string): boolean {
    return testEventPattern(eventPattern, event);
  }

  /** Stop schedules and abandon pending retries (their timers would otherwise keep the process alive). */
  async dispose(): Promise<void> {
    this.disposed.abort();
    for (const timer of [...this.timers, ...this.apiTimers.values()]) clearInterval(timer);
    await this.idle();
  }

  /** Resolves once every delivery started so far has finished (delivered, dead-lettered or dropped). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private findBus(nameOrArn: string | undefined, region?: string): EventBusModel | undefined {
    // An ARN must name a served bus exactly; a bare name is a bus of the request's region (the default region's when absent).
    if (nameOrArn?.startsWith('arn:')) return this.byBus.get(nameOrArn)?.bus;
    return this.busByRegionAndName.get(`${region ?? this.env.region}/${busNameOf(nameOrArn)}`);
  }

  /** The account and region of a bus or rule (its ARN's), which its events carry. */
  private envOfArn(arn: string): ServedEnv {
    return environmentOfArn(arn, this.env);
  }

  /** Whether a bus, rule or archive ARN is served by the EventBridge endpoint of `region` (the default region's when absent). */
  isInRegion(arn: string, region: string | undefined): boolean {
    return arnField(arn, 'region') === (region ?? this.env.region);
  }

  private forward(busArn: string, event: EventEnvelope): void {
    // EventBridge delivers an event to an event bus target once only, which also ends bus-to-bus loops.
    if (this.forwarded.has(event)) {
      throw new AwsError(
        HOP_DETECTED,
        `Event ingestion rejected for event ${event.id} because an event can be sent to an event bus target only once. This event was previously delivered to an event bus target.`,
      );
    }
    const bus = this.requireBus(busArn);
    this.forwarded.add(event);
    this.ingest(bus, event, this.deps.clock.now(), {});
  }

  private ingest(bus: EventBusModel, event: EventEnvelope, arrivedAt: number, options: IngestOptions): void {
    const ids = { eventId: event.id };
    const own = this.byBus.get(bus.arn)!;
    const filter = options.replay?.filterArns;
    // Each rule's verdict goes in the trace, so the dashboard can say which field stopped a rule.
    // One pass over the bus's rules gives the verdicts and the matched rules, without intermediate lists.
    const verdicts: RuleVerdict[] = [];
    const matched: RuleModel[] = [];
    for (const rule of own.rules) {
      if (!rule.enabled || !rule.pattern || (filter && filter.length > 0 && !filter.includes(rule.arn))) continue;
      const mismatch = rule.pattern.explain(event);
      if (mismatch) {
        verdicts.push({ name: rule.name, arn: rule.arn, matched: false, mismatch });
      } else {
        verdicts.push({ name: rule.name, arn: rule.arn, matched: true });
        matched.push(rule);
      }
    }
    const noRule = matched.length === 0 && verdicts.length > 0;
    this.deps.tracer?.record({
      service: 'eventbridge',
      kind: options.replay ? 'replay' : 'put',
      resource: bus.name,
      summary: `${event.source} / ${event['detail-type']} on bus ${bus.name}${options.replay ? ` (replay ${options.replay.name})` : ''}${noRule ? '; no rule matched' : ''}`,
      ids,
      detail: { event, rules: verdicts },
      ...(noRule ? { outcome: 'failed' as const, reason: `no rule matched (${verdicts.map((v) => `${v.name}: ${v.mismatch!.reason}`).join('; ')})` } : {}),
    });
    if (!options.replay) {
      for (const archive of own.archives) archive.offer(event, arrivedAt);
    }
    for (const rule of matched) {
      this.deps.tracer?.record({
        service: 'eventbridge',
        kind: 'match',
        resource: rule.name,
        summary: `rule ${rule.name} matched (${rule.targets.length} target${rule.targets.length === 1 ? '' : 's'})`,
        ids,
      });
      for (const target of rule.targets) this.track(deliver(this.deliveryDeps, rule, target, event, arrivedAt));
    }
  }

  /** Fire a scheduled rule every period of AWS time, as a `Scheduled Event` on the default bus. */
  private schedule(scheduled: RuleModel, periodMs: number): NodeJS.Timeout {
    const { account, region } = this.envOfArn(scheduled.arn);
    const timer = setInterval(() => {
      // A rule PutRule made may have changed (state, targets) since it was scheduled.
      const rule = this.apiRules.get(scheduled.arn) ?? scheduled;
      if (!rule.enabled) return;
      const now = this.deps.clock.now();
      const event: EventEnvelope = {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account,
        time: isoSeconds(now),
        region,
        resources: [rule.arn],
        detail: {},
      };
      this.deps.tracer?.record({
        service: 'eventbridge',
        kind: 'schedule',
        resource: rule.name,
        summary: `${rule.scheduleExpression ?? 'schedule'} fired rule ${rule.name}`,
        ids: { eventId: event.id },
      });
      for (const target of rule.targets) this.track(deliver(this.deliveryDeps, rule, target, event, now));
    }, Math.max(1, this.deps.clock.toLocalMs(periodMs)));
    // A schedule alone must not keep the process alive.
    timer.unref();
    return timer;
  }

  private track(promise: Promise<void>): void {
    this.inFlight.add(promise);
    void this.untrackWhenSettled(promise);
  }

  /** No closures per delivery (under tsx each also costs a defineProperty of its name). */
  private async untrackWhenSettled(promise: Promise<void>): Promise<void> {
    try {
      await promise;
    } catch {
      // A delivery never rejects; a replay that fails has ended all the same.
    }
    this.inFlight.delete(promise);
  }

  // ------------------------------------------------------------------ rules

  listRules(input: { NamePrefix?: string; EventBusName?: string }, region?: string): RuleModel[] {
    const bus = this.requireBus(input.EventBusName, region);
    return this.allRules.filter((r) => r.busArn === bus.arn && (!input.NamePrefix || r.name.startsWith(input.NamePrefix)));
  }

  describeRule(input: { Name?: string; EventBusName?: string }, region?: string): RuleModel {
    return this.requireRule(input.Name, input.EventBusName, region);
  }

  listTargetsByRule(input: { Rule?: string; EventBusName?: string }, region?: string): readonly TargetModel[] {
    return this.requireRule(input.Rule, input.EventBusName, region).targets;
  }

  private requireBus(nameOrArn: string | undefined, region?: string): EventBusModel {
    const bus = this.findBus(nameOrArn, region);
    if (!bus) throw new AwsError('ResourceNotFoundException', `Event bus ${busNameOf(nameOrArn)} does not exist.`);
    return bus;
  }

  private requireRule(name: string | undefined, busNameOrArn: string | undefined, region?: string): RuleModel {
    if (!name) throw new AwsError('ValidationException', 'Parameter Name is not valid. Reason: Name is required.');
    const bus = this.requireBus(busNameOrArn, region);
    const rule = this.findRule(bus, name);
    if (!rule) throw new AwsError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus.name}.`);
    return rule;
  }

  private findRule(bus: EventBusModel, name: string): RuleModel | undefined {
    return this.byBus.get(bus.arn)!.rules.find((r) => r.name === name || r.arn === name);
  }

  // ------------------------------------------------------------------ rules made through the API

  /**
   * PutRule: a new rule on the bus, or new settings (pattern, schedule,
   * state, description) for a rule PutRule made, which keeps its targets.
   * Answers the rule's ARN. Kept across restarts when the service keeps state.
   * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
   */
  putRule(input: PutRuleInput & { readonly EventBusName?: string }, region?: string): string {
    checkName(input.Name, 'name');
    const bus = this.requireBus(input.EventBusName, region);
    const existing = this.findRule(bus, input.Name);
    if (existing) this.refuseDeclared(existing, 'PutRule');
    const { partition, region: busRegion, account } = this.envOfArn(bus.arn);
    // As template rules' ARNs: rule/<name> on the default bus, rule/<bus>/<name> on another.
    const arn = `arn:${partition}:events:${busRegion}:${account}:rule/${bus.name === 'default' ? '' : `${bus.name}/`}${input.Name}`;
    const { EventBusName: _bus, ...settings } = input;
    this.replaceRule(existing, buildRule(settings, bus, arn, existing?.targets ?? []));
    return arn;
  }

  /**
   * PutTargets: adds the targets, or replaces those of the same Id; a rule
   * has at most 5 (LimitExceededException, nothing added). A target the local
   * EventBridge cannot honour is a FailedEntries entry, the rest are added.
   * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html
   */
  putTargets(input: { Rule: string; EventBusName?: string; Targets: readonly unknown[] }, region?: string): FailedEntries {
    const rule = this.requireRule(input.Rule, input.EventBusName, region);
    this.refuseDeclared(rule, 'PutTargets');
    // Ids are checked against the model before anything else, as a bad one fails the whole request on AWS.
    input.Targets.forEach((value, i) => {
      const id = (value as Record<string, unknown> | undefined)?.Id;
      if (typeof id === 'string') checkName(id, `targets.${i + 1}.member.id`);
    });
    const ruleRegion = this.envOfArn(rule.arn).region;
    const failed: FailedEntries['FailedEntries'][number][] = [];
    const targets = [...rule.targets];
    for (const value of input.Targets) {
      const target = targetOrFailure(value, ruleRegion);
      if ('ErrorCode' in target) {
        failed.push(target);
        continue;
      }
      const at = targets.findIndex((t) => t.id === target.id);
      if (at >= 0) targets[at] = target;
      else targets.push(target);
    }
    if (targets.length > MAX_TARGETS_PER_RULE) {
      throw new AwsError('LimitExceededException', 'The requested resource exceeds the maximum number allowed.');
    }
    this.replaceRule(rule, { ...rule, targets });
    return { FailedEntryCount: failed.length, FailedEntries: failed };
  }

  /**
   * RemoveTargets: the targets of those Ids leave the rule. An Id the rule
   * does not have is no error: AWS answers FailedEntryCount 0 for it (its
   * FailedEntries report only ConcurrentModificationException, a race that
   * cannot happen here).
   * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_RemoveTargets.html
   */
  removeTargets(input: { Rule: string; EventBusName?: string; Ids: readonly string[] }, region?: string): FailedEntries {
    const rule = this.requireRule(input.Rule, input.EventBusName, region);
    this.refuseDeclared(rule, 'RemoveTargets');
    this.replaceRule(rule, { ...rule, targets: rule.targets.filter((t) => !input.Ids.includes(t.id)) });
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  /**
   * DeleteRule: only once its targets are removed (ValidationException
   * otherwise, as AWS); a rule that does not exist is no error, as on AWS.
   * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DeleteRule.html
   */
  deleteRule(input: { Name: string; EventBusName?: string }, region?: string): void {
    const bus = this.requireBus(input.EventBusName, region);
    const rule = this.findRule(bus, input.Name);
    if (!rule) return;
    this.refuseDeclared(rule, 'DeleteRule');
    if (rule.targets.length > 0) throw new AwsError('ValidationException', "Rule can't be deleted since it has targets.");
    this.replaceRule(rule, undefined);
  }

  /** The state owners of the rules PutRule made, which the runtime keeps beside the stack's resources. */
  stateOwners(): Owner[] {
    return this.ruleRecords ? [API_RULES_OWNER, ...[...this.apiRules.keys()].map(apiRuleDeliveriesOwner)] : [];
  }

  /**
   * A rule the stack declares belongs to the stack. ManagedRuleException is
   * what EventBridge answers PutRule, PutTargets, RemoveTargets and DeleteRule
   * for a rule something else manages, so every SDK surfaces it as its own
   * error type; the message says what manages it here and what to do.
   */
  private refuseDeclared(rule: RuleModel, operation: string): void {
    if (this.apiRules.has(rule.arn)) return;
    throw new AwsError(
      'ManagedRuleException',
      `The local runtime does not change rule ${rule.name}: the stack declares it (AWS::Events::Rule ${rule.logicalId}). Change it in the app instead; ${operation} changes rules made with PutRule.`,
    );
  }

  /** Put `next` where `previous` was (or add it; or remove `previous`), in every list, its schedule and the state store. */
  private replaceRule(previous: RuleModel | undefined, next: RuleModel | undefined): void {
    const lists = [this.allRules, this.byBus.get((previous ?? next)!.busArn)!.rules];
    for (const list of lists) {
      const at = previous ? list.indexOf(previous) : -1;
      if (at >= 0 && next) list[at] = next;
      else if (at >= 0) list.splice(at, 1);
      else if (next) list.push(next);
    }
    const arn = (previous ?? next)!.arn;
    if (next) this.apiRules.set(arn, next);
    else this.apiRules.delete(arn);
    if (previous?.scheduleExpression !== next?.scheduleExpression) {
      const timer = this.apiTimers.get(arn);
      if (timer) clearInterval(timer);
      this.apiTimers.delete(arn);
      if (next?.schedulePeriodMs !== undefined) this.apiTimers.set(arn, this.schedule(next, next.schedulePeriodMs));
    }
    if (next && this.deps.state && !this.retryStores.has(arn)) {
      this.retryStores.set(arn, this.deps.state.collection<TargetRetryState>('eventbridge-delivery', apiRuleDeliveriesOwner(arn)));
    }
    if (next) this.ruleRecords?.save(arn, persistedRule(next));
    else this.ruleRecords?.remove(arn);
  }

  /** Take up the rules PutRule made in a previous run; a rule whose name the stack now declares on its bus (or whose bus left) is dropped. */
  private restoreApiRules(records: Collection<PersistedRule>): void {
    for (const saved of records.all()) {
      const bus = this.byBus.get(saved.busArn)?.bus;
      if (!bus || this.findRule(bus, saved.input.Name)) {
        records.remove(saved.arn);
        continue;
      }
      const region = this.envOfArn(saved.arn).region;
      const targets = saved.targets.map((t) => targetOrFailure(t, region)).filter((t): t is TargetModel => !('ErrorCode' in t));
      this.replaceRule(undefined, buildRule(saved.input, bus, saved.arn, targets));
    }
  }

  // ------------------------------------------------------------------ archives and replays

  listArchives(input: { NamePrefix?: string; EventSourceArn?: string }): ArchiveStore[] {
    // Counts and sizes leave out what the retention period already dropped.
    const now = this.deps.clock.now();
    for (const archive of this.archives) archive.expire(now);
    return this.archives.filter(
      (a) =>
        (!input.NamePrefix || a.model.name.startsWith(input.NamePrefix)) &&
        (!input.EventSourceArn || a.model.sourceArn === input.EventSourceArn),
    );
  }

  /** StartReplay: accepted at once, run in the background (STARTING -> RUNNING -> COMPLETED). */
  startReplay(input: StartReplayInput): ReplayRecord {
    const archive = this.archives.find((a) => a.model.arn === input.EventSourceArn);
    checkReplayInput(input, archive?.model);
    if (this.replays.has(input.ReplayName)) {
      throw new AwsError('ResourceAlreadyExistsException', `Replay ${input.ReplayName} already exists.`);
    }
    const now = this.deps.clock.now();
    const record: ReplayRecord = {
      name: input.ReplayName,
      arn: `arn:${this.env.partition}:events:${this.env.region}:${this.env.account}:replay/${input.ReplayName}`,
      ...(input.Description ? { description: input.Description } : {}),
      archiveArn: input.EventSourceArn,
      destination: input.Destination,
      startTime: toMs(input.EventStartTime),
      endTime: toMs(input.EventEndTime),
      state: 'STARTING',
      stateReason: 'Replay is starting.',
      replayStartTime: now,
    };
    this.replays.set(record.name, record);
    this.saveReplay(record, archive!);
    this.track(this.runReplay(record, archive!));
    return record;
  }

  describeReplay(input: { ReplayName?: string }): ReplayRecord {
    const record = input.ReplayName ? this.replays.get(input.ReplayName) : undefined;
    if (!record) throw new AwsError('ResourceNotFoundException', `Replay ${input.ReplayName ?? ''} does not exist.`);
    return record;
  }

  private saveReplay(record: ReplayRecord, archive: ArchiveStore): void {
    if (!this.disposed.signal.aborted) this.replayStores.get(archive)?.save(record.name, record);
  }

  private async runReplay(record: ReplayRecord, archive: ArchiveStore): Promise<void> {
    // Let StartReplay answer STARTING before anything is sent.
    await this.deps.clock.sleep(0);
    if (this.disposed.signal.aborted) return;
    record.state = 'RUNNING';
    record.stateReason = 'Replay is running.';
    this.saveReplay(record, archive);
    const bus = this.requireBus(record.destination.Arn);
    const replay = {
      name: record.name,
      ...(record.destination.FilterArns ? { filterArns: record.destination.FilterArns } : {}),
    };
    // Resuming: skip what the previous run sent (by arrival time, then by count at the last time sent).
    const resumeAfter = record.lastReplayedTime;
    let skipAtResumeTime = record.sentAtLastTime ?? 0;
    for (const { event, arrivedAt } of archive.window(record.startTime, record.endTime, this.deps.clock.now())) {
      if (resumeAfter !== undefined && arrivedAt < resumeAfter) continue;
      if (arrivedAt === resumeAfter && skipAtResumeTime > 0) {
        skipAtResumeTime -= 1;
        continue;
      }
      this.ingest(bus, { ...event, 'replay-name': record.name }, this.deps.clock.now(), { replay });
      record.sentAtLastTime = arrivedAt === record.lastReplayedTime ? (record.sentAtLastTime ?? 0) + 1 : 1;
      record.lastReplayedTime = arrivedAt;
      // Saved after the event is handed on: a crash in between sends it again (at-least-once), never loses it.
      this.saveReplay(record, archive);
    }
    record.state = 'COMPLETED';
    record.stateReason = 'Replay completed.';
    record.replayEndTime = this.deps.clock.now();
    this.saveReplay(record, archive);
  }

}
