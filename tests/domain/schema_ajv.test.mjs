// Cross-checks config/tenant-config.schema.json and our C validator against a real
// JSON Schema implementation (ajv, draft 2020-12, strict mode):
//  - the schema compiles under strict mode;
//  - the demo config is valid;
//  - every fixture whose golden output has SCHEMA_* errors is invalid under ajv, and
//    each pointer we report is one ajv reports too; fixtures with only semantic
//    problems are schema-valid under ajv.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const root = process.env.RADSCHED_ROOT || path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'tests/domain/config_fixtures');
const readJson = (p) => JSON.parse(fs.readFileSync(p, 'utf8'));

function compile() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  return ajv.compile(readJson(path.join(root, 'config/tenant-config.schema.json')));
}

// ajv reports required/additionalProperties at the parent; we report at the member.
function ajvPointers(errors) {
  const out = new Set();
  for (const e of errors || []) {
    const esc = (s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1');
    if (e.keyword === 'required') out.add(`${e.instancePath}/${esc(e.params.missingProperty)}`);
    else if (e.keyword === 'additionalProperties') out.add(`${e.instancePath}/${esc(e.params.additionalProperty)}`);
    else if (e.keyword === 'propertyNames') out.add(`${e.instancePath}/${esc(e.params.propertyName)}`);
    else if (e.keyword === 'uniqueItems') out.add(`${e.instancePath}/${e.params.i}`); // ajv: i, j are the pair
    else if (e.keyword === 'false schema') out.add(e.instancePath);
    else out.add(e.instancePath);
  }
  return out;
}

function goldenProblems(name) {
  const text = fs.readFileSync(path.join(fixtures, `${name}.expected`), 'utf8');
  return text.split('\n').filter(Boolean).map((line) => {
    const m = /^(warning: )?(.*?): ([A-Z][A-Z0-9_]+): /.exec(line);
    assert.ok(m, `unparseable golden line: ${line}`);
    return { warning: !!m[1], pointer: m[2], code: m[3] };
  });
}

test('schema compiles under ajv strict mode', () => {
  assert.equal(typeof compile(), 'function');
});

test('demo config is valid under ajv', () => {
  const validate = compile();
  const ok = validate(readJson(path.join(root, 'config/demo/lakeside.json')));
  assert.ok(ok, JSON.stringify(validate.errors, null, 2));
});

test('broken fixtures agree with ajv', () => {
  const validate = compile();
  const names = fs.readdirSync(fixtures).filter((f) => f.endsWith('.json') && !f.startsWith('_')).map((f) => f.slice(0, -5));
  assert.ok(names.length >= 30, `only ${names.length} fixtures`);
  let schemaLevel = 0;
  for (const name of names.sort()) {
    const problems = goldenProblems(name);
    if (problems.some((p) => p.code.startsWith('JSON_'))) continue; // not JSON at all (JSON.parse is laxer)
    const doc = readJson(path.join(fixtures, `${name}.json`));
    const ours = problems.filter((p) => p.code.startsWith('SCHEMA_'));
    const ok = validate(doc);
    if (ours.length === 0) {
      assert.ok(ok, `${name}: ajv rejects a fixture we find schema-valid: ${JSON.stringify(validate.errors)}`);
      continue;
    }
    schemaLevel++;
    assert.ok(!ok, `${name}: ajv accepts a fixture we reject`);
    const theirs = ajvPointers(validate.errors);
    for (const p of ours) assert.ok(theirs.has(p.pointer), `${name}: ajv does not report ${p.pointer} (${p.code}); ajv: ${[...theirs].join(', ')}`);
  }
  assert.ok(schemaLevel >= 10, `only ${schemaLevel} schema-level fixtures`);
});
