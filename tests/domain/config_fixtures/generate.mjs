// Regenerates the broken-config fixtures from one small valid config.
//   node tests/domain/config_fixtures/generate.mjs
// Each fixture breaks one rule; NAME.expected (the golden output) is written by the
// C test with RADSCHED_UPDATE_GOLDEN=1 and reviewed by hand.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const WK = ['mon', 'tue', 'wed', 'thu', 'fri'];
const ALL = [...WK, 'sat', 'sun'];

const base = () => ({
  schemaVersion: 1,
  timezone: 'America/Toronto',
  department: { name: 'Fixture Radiology', weekStart: 'mon' },
  subspecialties: [
    { code: 'NEURO', name: 'Neuroradiology' },
    { code: 'BODY', name: 'Body imaging' },
    { code: 'IR', name: 'Interventional radiology' },
  ],
  shiftTypes: [
    { code: 'NEURO_D', name: 'Neuro day', subspecialty: 'NEURO', kind: 'timed', start: '08:00', end: '16:30', days: WK, points: 1, showAsBusy: true },
    { code: 'BODY_D', name: 'Body day', subspecialty: 'BODY', kind: 'timed', start: '08:00', end: '16:30', days: WK, points: 1, showAsBusy: true },
    { code: 'EVE', name: 'Evening', kind: 'timed', start: '16:00', end: '23:00', days: WK, points: 1.5, showAsBusy: true },
    { code: 'OVN', name: 'Overnight', kind: 'timed', start: '23:00', end: '08:00', days: ALL, points: 2, showAsBusy: true },
    { code: 'WE_CALL', name: 'Weekend call', kind: 'timed', start: '08:00', end: '18:00', days: ['sat', 'sun'], points: 2, showAsBusy: true },
    { code: 'IR_CALL', name: 'IR home call', subspecialty: 'IR', kind: 'allDay', days: ALL, points: 1, showAsBusy: false },
  ],
  eligibility: {
    default: 'bySubspecialty',
    lists: [
      { name: 'Night pool', shiftTypes: ['OVN', 'EVE'], people: ['ann@fixture.example', 'ben@fixture.example', 'cho@fixture.example'] },
    ],
    fellows: { default: 'withAttending', overrides: [{ shiftTypes: ['OVN'], policy: 'never' }] },
  },
  equivalences: [
    { id: 'nights', name: 'Nights', shiftTypes: ['OVN'] },
    { id: 'weekend', name: 'Weekend', shiftTypes: ['WE_CALL'] },
  ],
  coverage: {
    requirements: [
      { shiftType: 'NEURO_D', count: 1 },
      { shiftType: 'BODY_D', count: 1 },
      { shiftType: 'EVE', count: 1 },
      { shiftType: 'OVN', count: 1 },
      { shiftType: 'WE_CALL', count: 1 },
      { shiftType: 'IR_CALL', count: 1 },
    ],
    overrides: [
      { date: '2026-12-25', name: 'Christmas Day', holiday: true, otherShifts: 'closed', counts: { WE_CALL: 1, OVN: 1, IR_CALL: 1 } },
    ],
  },
  rules: {
    forbiddenSuccessions: [{ after: ['OVN'], forbid: ['NEURO_D', 'BODY_D', 'EVE'], days: 1 }],
    maxConsecutiveWorkingDays: 6,
    restAfterRun: { minRunDays: 6, minDaysOff: 2 },
    weekends: { max: 2, periodWeeks: 4 },
    maxShifts: [{ shiftTypes: ['OVN'], max: 6, per: 'month' }],
    sameDayAllowed: [{ shiftTypes: ['NEURO_D', 'IR_CALL'] }],
  },
  vacationPolicy: {
    unit: 'week', yearStartMonth: 1, weeksPerYearFullTime: 6, fteRounding: 'nearest',
    requestWindows: [{ name: '2027 requests', opens: '2026-09-01', closes: '2026-09-30', coversFrom: '2027-01-01', coversTo: '2027-12-31' }],
    maxOffPerWeek: { total: 2, bySubspecialty: [{ subspecialty: 'NEURO', max: 1 }] },
    blackoutDates: [{ from: '2026-12-21', to: '2027-01-03', reason: 'Holidays' }],
    rounds: [{ name: 'Round 1', maxWeeks: 2, order: 'rotating' }, { name: 'Round 2', maxWeeks: 4, order: 'lottery' }],
    maxRankedChoices: 4,
  },
  fairness: { scaleByFte: true, periodWeight: 1, yearToDateWeight: 0.5, balance: [{ equivalence: 'nights', weight: 2 }] },
  auth: { magicLinkEnabled: true, allowedDomains: ['fixture.example'], domainRestrictedSignup: true },
  integrations: {
    calendar: { provider: 'google', publishMode: 'onPublish', patchStrategy: 'hashCompare', useExtendedProperties: true, eventSummaryFormat: '{SHIFT_CODE} — {SUBSPECIALTY} ({USER_SHORT})' },
    email: { provider: 'postmark', streams: ['outbound', 'system', 'broadcast'], swapOfferCadenceMinutes: 30, maxConcurrentOffers: 1 },
    aiAgent: { enabled: true, tooling: 'vercel-ai-sdk', usesMCP: false },
  },
  ics: { windowDaysBack: 30, windowMonthsAhead: 12, refreshIntervalMinutes: 60 },
});

const roster = {
  department: 'Fixture Radiology',
  people: [
    { email: 'ann@fixture.example', name: 'Ann Neuro', role: 'CHIEF', subspecialties: ['NEURO'] },
    { email: 'ben@fixture.example', name: 'Ben Neuro', fte: 0.6, subspecialties: ['NEURO'] },
    { email: 'cho@fixture.example', name: 'Cho Body', subspecialties: ['BODY'] },
    { email: 'dev@fixture.example', name: 'Dev Body', subspecialties: ['BODY', 'IR'] },
    { email: 'eli@fixture.example', name: 'Eli IR', subspecialties: ['IR'] },
    { email: 'fay@fixture.example', name: 'Fay Fellow', fellow: true, subspecialties: ['NEURO'] },
    { email: 'gus@fixture.example', name: 'Gus Retired', active: false, subspecialties: ['BODY'] },
    { email: 'admin@fixture.example', name: 'Ada Admin', role: 'ADMIN', schedulable: false, subspecialties: [] },
  ],
};

const shift = (d, code) => d.shiftTypes.find((s) => s.code === code);
const req = (d, code) => d.coverage.requirements.find((r) => r.shiftType === code);

// name -> change to the base config (or raw text for syntax fixtures)
const fixtures = {
  valid_minimal: () => {},
  schema_unknown_property: (d) => {
    d.timeZone = d.timezone; delete d.timezone;
    shift(d, 'NEURO_D').colour = '#336699';
  },
  schema_required: (d) => {
    delete d.department.name;
    delete d.auth;
    delete shift(d, 'EVE').points;
  },
  schema_type: (d) => {
    shift(d, 'NEURO_D').points = '1';
    shift(d, 'BODY_D').showAsBusy = 'yes';
    d.eligibility.lists = {};
  },
  schema_enum: (d) => {
    d.department.weekStart = 'monday';
    shift(d, 'EVE').kind = 'evening';
    d.schemaVersion = 2;
  },
  schema_pattern: (d) => {
    shift(d, 'NEURO_D').color = '#fff';
    shift(d, 'BODY_D').start = '8:00';
    d.auth.allowedDomains = ['Fixture.Example'];
  },
  schema_range: (d) => {
    req(d, 'NEURO_D').count = -1;
    d.ics.windowMonthsAhead = 36;
    d.vacationPolicy.yearStartMonth = 13;
  },
  schema_format: (d) => {
    d.coverage.overrides[0].date = '2026-02-30';
    d.eligibility.lists[0].people.push('not-an-email');
  },
  schema_all_day_times: (d) => {
    Object.assign(shift(d, 'IR_CALL'), { start: '08:00', end: '08:00' });
    delete shift(d, 'EVE').end;
  },
  schema_duplicate_item: (d) => {
    shift(d, 'WE_CALL').days = ['sat', 'sun', 'sat'];
    d.eligibility.lists[0].people.push('ann@fixture.example');
  },
  schema_list_without_target: (d) => {
    d.eligibility.lists.push({ name: 'Orphan list', people: ['cho@fixture.example'] });
  },
  schema_integrations: (d) => {
    d.integrations.calendar.provider = 'outlook';
    d.integrations.email.streams = ['outbound', 'sms'];
    delete d.integrations.aiAgent;
  },
  syntax_duplicate_key: '{\n  "schemaVersion": 1,\n  "timezone": "America/Toronto",\n  "timezone": "Europe/Paris"\n}\n',
  syntax_trailing_garbage: '{"schemaVersion": 1}\n{"schemaVersion": 1}\n',
  syntax_bad_utf8: Buffer.from('{"department": {"name": "Lakeside \xff"}}\n', 'latin1'),
  invalid_timezone: (d) => { d.timezone = 'America/Totonto'; },
  duplicate_codes: (d) => {
    d.subspecialties.push({ code: 'BODY', name: 'Body again' });
    d.shiftTypes.push({ ...shift(d, 'EVE'), name: 'Evening twin' });
    d.equivalences.push({ id: 'nights', name: 'Nights again', shiftTypes: ['EVE'] });
  },
  unknown_subspecialty: (d) => {
    shift(d, 'BODY_D').subspecialty = 'CHEST';
    d.eligibility.lists.push({ name: 'Breast readers', subspecialties: ['BREAST'], people: ['cho@fixture.example'] });
    d.vacationPolicy.maxOffPerWeek.bySubspecialty.push({ subspecialty: 'NEUR', max: 1 });
  },
  unknown_shift_type: (d) => {
    req(d, 'EVE').shiftType = 'EVENING';
    d.equivalences[1].shiftTypes.push('WE_CAL');
    d.rules.forbiddenSuccessions[0].forbid.push('MSK_D');
    d.rules.maxShifts[0].shiftTypes = ['NIGHT'];
    d.coverage.overrides[0].counts.HOL_CALL = 1;
    d.eligibility.fellows.overrides[0].shiftTypes.push('OVN2');
  },
  unknown_person: (d) => {
    d.eligibility.lists[0].people.push('zed@fixture.example', 'gus@fixture.example', 'admin@fixture.example');
  },
  eligibility_empty: (d) => {
    d.eligibility.lists.push({ name: 'Retirees', shiftTypes: ['WE_CALL'], people: ['gus@fixture.example', 'admin@fixture.example'] });
  },
  coverage_unsatisfiable: (d) => {
    req(d, 'NEURO_D').count = 3;
    req(d, 'IR_CALL').perWeekday = { sun: 3 };
    d.coverage.overrides[0].counts.OVN = 4;
  },
  coverage_day_not_run: (d) => { req(d, 'BODY_D').perWeekday = { sat: 1, sun: 0 }; },
  shift_zero_length: (d) => { shift(d, 'EVE').end = '16:00'; },
  same_day_overlap: (d) => {
    d.rules.sameDayAllowed.push({ shiftTypes: ['BODY_D', 'EVE'] }, { shiftTypes: ['EVE', 'OVN', 'WE_CALL'] });
  },
  conflicting_definitions: (d) => {
    d.coverage.requirements.push({ shiftType: 'OVN', count: 2 });
    d.eligibility.fellows.overrides.push({ shiftTypes: ['EVE', 'OVN'], policy: 'independent' });
    d.fairness.balance.push({ equivalence: 'nights', weight: 1 });
    d.vacationPolicy.maxOffPerWeek.bySubspecialty.push({ subspecialty: 'NEURO', max: 2 });
  },
  duplicate_date: (d) => {
    d.coverage.overrides.push({ date: '2026-12-25', name: 'Christmas again', counts: { OVN: 1 } });
  },
  date_range_reversed: (d) => {
    Object.assign(d.vacationPolicy.requestWindows[0], { opens: '2026-10-01', closes: '2026-09-01' });
    d.vacationPolicy.requestWindows.push({ name: 'Backwards', opens: '2026-03-01', closes: '2026-03-31', coversFrom: '2026-12-31', coversTo: '2026-07-01' });
    d.vacationPolicy.blackoutDates[0].to = '2026-12-01';
  },
  unknown_equivalence: (d) => { d.fairness.balance.push({ equivalence: 'weekends', weight: 1 }); },
  auth_no_domains: (d) => { d.auth.allowedDomains = []; },
  unknown_placeholder: (d) => { d.integrations.calendar.eventSummaryFormat = '{SHIFT} — {USER_SHORT} {oops'; },
  warnings_roster: (d) => {
    d.auth.allowedDomains = ['lakeside.example'];
    d.subspecialties = d.subspecialties.filter((s) => s.code !== 'IR');
    shift(d, 'IR_CALL').subspecialty = undefined;
    delete shift(d, 'IR_CALL').subspecialty;
    d.eligibility.lists.push({ name: 'Night pool', shiftTypes: ['WE_CALL'], people: ['dev@fixture.example'] });
  },
  warnings_rules: (d) => {
    d.coverage.requirements = d.coverage.requirements.filter((r) => r.shiftType !== 'WE_CALL');
    d.shiftTypes.push({ code: 'HOL_ONLY', name: 'Holiday only', kind: 'allDay', days: [], points: 1, showAsBusy: true });
    d.equivalences.push({ id: 'calls', name: 'All call', shiftTypes: ['OVN', 'WE_CALL'] });
    d.rules.restAfterRun.minRunDays = 8;
    d.rules.weekends = { max: 4, periodWeeks: 4 };
    d.fairness.periodWeight = 0;
    d.fairness.yearToDateWeight = 0;
  },
  warnings_vacation: (d) => {
    d.vacationPolicy.rounds.push({ name: 'Round 2', maxWeeks: 2, order: 'seniority' });
    d.vacationPolicy.blackoutDates.push({ from: '2027-01-01', to: '2027-01-10', reason: 'New year' });
    d.vacationPolicy.requestWindows[0].closes = '2027-01-15';
    d.vacationPolicy.maxOffPerWeek.bySubspecialty[0].max = 3;
  },
};

fs.writeFileSync(path.join(dir, '_roster.json'), JSON.stringify(roster, null, 2) + '\n');
for (const [name, change] of Object.entries(fixtures)) {
  let text;
  if (typeof change === 'function') {
    const d = base();
    change(d);
    text = JSON.stringify(d, null, 2) + '\n';
  } else {
    text = change;
  }
  fs.writeFileSync(path.join(dir, `${name}.json`), text);
}
console.log(`${Object.keys(fixtures).length} fixtures written to ${dir}`);
