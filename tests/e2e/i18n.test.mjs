// The web app's two catalogues must match: same keys, no empty text, same placeholders,
// and every key the source names literally must exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB_SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'src');
const read = (path) => JSON.parse(readFileSync(path, 'utf8'));
const FEATURES = join(WEB_SRC, 'features');
// The shell's catalogue and every feature's, merged the way web/src/i18n/index.js does.
function catalogueFiles(lang) {
  const files = [join(WEB_SRC, 'i18n', `${lang}.json`)];
  for (const name of readdirSync(FEATURES).sort()) {
    const path = join(FEATURES, name, 'i18n', `${lang}.json`);
    try { statSync(path); files.push(path); } catch { /* a feature without strings */ }
  }
  return files;
}
function load(lang) {
  const merged = {};
  for (const file of catalogueFiles(lang)) {
    for (const [key, value] of Object.entries(read(file))) {
      assert.ok(!(key in merged), `${key} is defined twice (${file})`);
      merged[key] = value;
    }
  }
  return merged;
}
const zh = load('zh-CN');
const en = load('en');

const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(jsx?|mjs)$/.test(name) ? [path] : [];
  });
}

test('zh-CN and en have the same keys', () => {
  assert.deepEqual(Object.keys(en).sort(), Object.keys(zh).sort());
});

test('no catalogue has an empty or non-string value', () => {
  for (const [name, catalogue] of [['zh-CN', zh], ['en', en]]) {
    for (const [key, value] of Object.entries(catalogue)) {
      assert.equal(typeof value, 'string', `${name} ${key}`);
      assert.ok(value.trim().length > 0, `${name} ${key} is empty`);
    }
  }
});

test('both languages use the same placeholders', () => {
  for (const key of Object.keys(zh)) {
    assert.deepEqual(placeholders(en[key] ?? ''), placeholders(zh[key]), key);
  }
});

test('every key named in the source exists', () => {
  const missing = [];
  for (const file of sourceFiles(WEB_SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\bt\(\s*'([A-Za-z0-9_.-]+)'/g)) {
      if (!(match[1] in zh)) missing.push(`${file}: ${match[1]}`);
    }
    for (const match of text.matchAll(/\blabel: '([A-Za-z0-9_.-]+)'/g)) {
      if (!(match[1] in zh)) missing.push(`${file}: ${match[1]}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('keys built from role and state names exist for every role and state', () => {
  const roles = ['superuser', 'committee', 'zone_leader', 'block_leader', 'volunteer', 'resident'];
  const needed = [
    ...roles.map((role) => `role.${role}`),
    ...roles.map((role) => `home.${role}.title`),
    ...roles.filter((role) => !['superuser', 'committee'].includes(role)).map((role) => `home.${role}.intro`),
    ...['queued', 'running', 'done', 'failed'].map((state) => `job.state.${state}`),
    ...['global', 'community', 'zone', 'block', 'household'].map((kind) => `scope.${kind}`),
    ...['zh-CN', 'en'].map((code) => `language.name.${code}`),
  ];
  assert.deepEqual(needed.filter((key) => !(key in zh)), []);
});
