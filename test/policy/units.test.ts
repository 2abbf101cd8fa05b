/**
 * Unit tests of the policy engine's internal modules: wildcard, ip, values,
 * template, context, size and cache. Whole-engine behaviour lives in the JSON
 * case files and the property tests; these pin down each module's own rules.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PolicyCache } from '../../src/policy/cache.js';
import { createContext, isValidTimeZone, timeOfDay } from '../../src/policy/context.js';
import { authorize } from '../../src/policy/evaluate.js';
import { formatV6, inBlock, parseCidr, parseIpAddress } from '../../src/policy/ip.js';
import { parsePolicy } from '../../src/policy/parse.js';
import { ResourceName, ResourcePattern } from '../../src/policy/resource.js';
import { policySize } from '../../src/policy/size.js';
import { parseTemplate } from '../../src/policy/template.js';
import { canonicalBase64, parseDate, parseNumber } from '../../src/policy/values.js';
import { arnMatch, globCodes, globMatch, literalCodes, STAR } from '../../src/policy/wildcard.js';
import { MalformedPolicyDocument } from '../../src/shared/errors.js';

const glob = (p: string, s: string) => globMatch(globCodes(p), s);
/** arnMatch (wildcard.ts), checked against the segment-compiled ResourcePattern (resource.ts) the engine uses. */
const arn = (p: string, s: string) => {
  const viaGlob = arnMatch(globCodes(p), s);
  const viaSegments = new ResourcePattern(parseTemplate(p, true)).matches(new ResourceName(s), createContext());
  assert.equal(viaSegments, viaGlob, `resource.ts and wildcard.ts disagree on ${p} vs ${s}`);
  return viaGlob;
};
const ip = (text: string) => {
  const w = parseIpAddress(text);
  assert.ok(w, `${text} should parse`);
  return w;
};
const v6 = (text: string) => formatV6(ip(text));
const within = (addr: string, block: string) => inBlock(ip(addr), parseCidr(block)!);

describe('wildcard.ts', () => {
  it('globMatch: * matches any run including the empty one; ? exactly one character', () => {
    assert.equal(glob('a*b', 'ab'), true);
    assert.equal(glob('a*b', 'a-x:y/b'), true);
    assert.equal(glob('a*b', 'a-b-c'), false);
    assert.equal(glob('*', ''), true);
    assert.equal(glob('', ''), true);
    assert.equal(glob('', 'a'), false);
    assert.equal(glob('a?c', 'abc'), true);
    assert.equal(glob('a?c', 'ac'), false);
    assert.equal(glob('a?c', 'abbc'), false);
    assert.equal(glob('??', 'a'), false);
    assert.equal(glob('a**b', 'ab'), true);
    assert.equal(glob('a***', 'a'), true);
    assert.equal(glob('*?*', ''), false);
    assert.equal(glob('*a*b*c*', 'xxaxxbxxcxx'), true);
    assert.equal(glob('*a*b*c*', 'xxcxxbxxaxx'), false);
    assert.equal(glob('ABC', 'abc'), false, 'case-sensitive');
  });

  it('literal codes from ${*} and substituted text are never wildcards', () => {
    const lit = literalCodes('a*?');
    assert.equal(globMatch(lit, 'a*?'), true);
    assert.equal(globMatch(lit, 'abc'), false);
    assert.deepEqual(globCodes('a*'), [0x61, STAR]);
  });

  it('pathological patterns finish fast', () => {
    const start = performance.now();
    assert.equal(glob('a*a*a*a*a*b', 'a'.repeat(5000)), false);
    assert.equal(glob('*a*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(5000)), false);
    assert.equal(glob('?*'.repeat(50) + 'b', 'a'.repeat(5000)), false);
    assert.equal(arn('arn:aws:s3:::' + 'a*'.repeat(30) + 'b', 'arn:aws:s3:::' + 'a'.repeat(5000)), false);
    assert.equal(glob('a*a*a*a*a*b', 'a'.repeat(5000) + 'b'), true);
    assert.ok(performance.now() - start < 250, `took ${(performance.now() - start).toFixed(0)} ms`);
  });

  it('arnMatch: * stays inside one of the first five segments, but crosses / and : in the resource part', () => {
    assert.equal(arn('arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b:c'), true);
    assert.equal(arn('arn:aws:logs:us-east-1:123456789012:log-group:*', 'arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s'), true);
    assert.equal(arn('arn:aws:iam::*:user/*', 'arn:aws:iam::123456789012:user/ops/bob'), true);
    assert.equal(arn('arn:aws:ec2:us-*-1:*:instance/*', 'arn:aws:ec2:us-east-1:1:instance/i-1'), true);
    assert.equal(arn('arn:aws:ec2:us-*-1:*:instance/*', 'arn:aws:ec2:eu-west-1:1:instance/i-1'), false);
    // As one glob, "*s" would swallow "x:aws"; segment by segment, partition "x" does not match "*s".
    assert.equal(glob('arn:*s:iam::1:user/x', 'arn:x:aws:iam::1:user/x'), true);
    assert.equal(arn('arn:*s:iam::1:user/x', 'arn:x:aws:iam::1:user/x'), false);
    assert.equal(arn('arn:aws:iam::1?:user/x', 'arn:aws:iam::1::user/x'), false, '? never matches a separating colon');
    assert.equal(arn('arn:aws:s3:::b?', 'arn:aws:s3:::b:'), true, 'the resource part keeps its colons');
    assert.equal(arn('arn:aws:iam::123456789012:user/Bob', 'arn:aws:iam::123456789012:user/bob'), false, 'case-sensitive');
    assert.equal(arn('arn:aws:s3:::*', 'arn:aws:s3:::'), true);
    assert.equal(arn('arn:aws:s3:::x', 'not-an-arn'), false);
  });
});

describe('ip.ts', () => {
  it('parses IPv4 into the IPv4-mapped form and IPv6 with ::, embedded IPv4 and any case', () => {
    assert.deepEqual([...ip('1.2.3.4')], [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    assert.deepEqual([...ip('::ffff:1.2.3.4')], [...ip('1.2.3.4')]);
    assert.deepEqual([...ip('::')], [0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual([...ip('::1')], [0, 0, 0, 0, 0, 0, 0, 1]);
    assert.deepEqual([...ip('1::')], [1, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual([...ip('2001:DB8::A:b')], [0x2001, 0xdb8, 0, 0, 0, 0, 0xa, 0xb]);
    assert.deepEqual([...ip('64:ff9b::192.0.2.33')], [0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0221]);
    assert.deepEqual([...ip('1:2:3:4:5:6:7::')], [1, 2, 3, 4, 5, 6, 7, 0]);
    assert.deepEqual([...ip('0001:2:3:4:5:6:1.2.3.4')], [1, 2, 3, 4, 5, 6, 0x0102, 0x0304]);
  });

  it('refuses malformed addresses and blocks', () => {
    const bad = ['1.2.3', '01.2.3.4', '1.2.3.04', '256.1.1.1', '1.2.3.4.5', ' 1.2.3.4', '1::2::3', 'gggg::', '12345::', ':1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '::1.2.3', '::1.2.3.4:5', '', ':', ':::'];
    for (const text of bad) assert.equal(parseIpAddress(text), undefined, text);
    for (const text of ['1.2.3.4/33', '::1/129', '1.2.3.4/', '1.2.3.4/-1', '1.2.3.4/a', '1.2.3.4/8/8', '/8', 'gggg::/64']) {
      assert.equal(parseCidr(text), undefined, text);
    }
  });

  it('refuses a dotted IPv4 part anywhere but the last 32 bits (RFC 4291 section 2.2)', () => {
    assert.equal(parseIpAddress('1.2.3.4::'), undefined, '1.2.3.4::');
    assert.equal(parseIpAddress('1.2.3.4::5'), undefined, '1.2.3.4::5');
    assert.equal(parseCidr('1.2.3.4::/16'), undefined, '1.2.3.4::/16');
  });

  it('formats IPv6 canonically (RFC 5952): lower case, no leading zeros, longest then first zero run, never a lone ::', () => {
    assert.equal(v6('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
    assert.equal(v6('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
    assert.equal(v6('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1');
    assert.equal(v6('2001:0:0:1:0:0:0:1'), '2001:0:0:1::1');
    assert.equal(v6('0:0:0:0:0:0:0:0'), '::');
    assert.equal(v6('1:0:0:0:0:0:0:0'), '1::');
    assert.equal(v6('0:0:0:0:0:0:0:1'), '::1');
  });

  it('applies prefixes /0 /1 /31 /32 to IPv4 and /0 /64 /127 /128 to IPv6, masking host bits', () => {
    const b = parseCidr('10.1.2.3/8')!;
    assert.equal(b.prefix, 104);
    assert.deepEqual([...b.words.slice(5)], [0xffff, 0x0a00, 0]);
    assert.equal(within('10.255.0.1', '10.1.2.3/8'), true);
    assert.equal(within('11.0.0.1', '10.1.2.3/8'), false);
    assert.equal(within('203.0.113.9', '0.0.0.0/0'), true);
    assert.equal(within('2001:db8::1', '0.0.0.0/0'), false, 'an IPv4 block holds no native IPv6 address');
    assert.equal(within('200.1.1.1', '128.0.0.0/1'), true);
    assert.equal(within('127.255.255.255', '128.0.0.0/1'), false);
    assert.equal(within('10.0.0.5', '10.0.0.4/31'), true);
    assert.equal(within('10.0.0.6', '10.0.0.4/31'), false);
    assert.equal(within('10.0.0.4', '10.0.0.4/32'), true);
    assert.equal(within('10.0.0.5', '10.0.0.4'), false, 'a bare IPv4 address is /32');
    assert.equal(within('::ffff:10.0.0.7', '10.0.0.0/24'), true);
    assert.equal(within('1.2.3.4', '::/0'), true);
    assert.equal(within('2001:db8:1:2:ffff::1', '2001:db8:1:2::/64'), true);
    assert.equal(within('2001:db8:1:3::1', '2001:db8:1:2::/64'), false);
    assert.equal(within('2001:db8::1', '2001:db8::/127'), true);
    assert.equal(within('2001:db8::2', '2001:db8::/127'), false);
    assert.equal(within('2001:db8::1', '2001:db8::1/128'), true);
    assert.equal(within('2001:db8::2', '2001:db8::1'), false, 'a bare IPv6 address is /128');
    assert.equal(parseCidr('2001:db8::ffff/64')!.text, '2001:db8::/64');
    assert.equal(parseCidr('2001:DB8:0:0::1/127')!.text, '2001:db8::/127');
  });
});

describe('values.ts', () => {
  it('parses ISO-8601 dates (date only, offsets, fractions) and epoch seconds, refusing impossible dates', () => {
    assert.equal(parseDate('2024-02-29'), Date.UTC(2024, 1, 29));
    assert.equal(parseDate('2024-01-01T10:00:00+02:00'), Date.UTC(2024, 0, 1, 8));
    assert.equal(parseDate('2024-01-01T10:00:00-0530'), Date.UTC(2024, 0, 1, 15, 30));
    assert.equal(parseDate('2024-01-01T10:00Z'), Date.UTC(2024, 0, 1, 10));
    assert.equal(parseDate('2024-01-01T00:00:00.123456Z'), Date.UTC(2024, 0, 1) + 123);
    assert.equal(parseDate('2024-01-01T00:00:00.5Z'), Date.UTC(2024, 0, 1) + 500);
    assert.equal(parseDate('1700000000'), 1_700_000_000_000);
    assert.equal(parseDate('-1'), -1000);
    for (const bad of ['2024-02-30', '2023-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '2024-01-01T24:00:00Z', '2024-01-01T10:60Z', '2024-1-1', 'garbage', '', '2024-01-01T']) {
      assert.equal(parseDate(bad), undefined, bad);
    }
  });

  it('keeps years 0000-0099 in the first century', () => {
    assert.equal(parseDate('0050-06-15T00:00:00Z'), Date.parse('0050-06-15T00:00:00Z'), 'not 1950');
    assert.equal(parseDate('0000-02-29'), Date.parse('0000-02-29T00:00:00Z'), 'year 0 is a leap year in ISO 8601');
  });

  it('refuses out-of-range zone offsets', () => {
    for (const bad of ['2024-01-01T00:00:00+05:99', '2024-01-01T00:00:00+24:00', '2024-01-01T00:00:00-9960']) {
      assert.equal(parseDate(bad), undefined, `${bad}: W3C-DTF / ISO 8601 offsets are hh 00-23 and mm 00-59`);
    }
  });

  it('parses decimal numbers only', () => {
    for (const [text, n] of [['10', 10], ['-1.5', -1.5], ['+2', 2], ['1e3', 1000], ['.5', 0.5], ['1.', 1], ['007', 7]] as const) assert.equal(parseNumber(text), n, text);
    for (const bad of ['', ' 1', '0x10', '1e400', 'NaN', 'Infinity', '1,000', '1_000', '--1']) assert.equal(parseNumber(bad), undefined, bad);
  });

  it('canonicalises base64 so equal bytes compare equal, and refuses non-base64', () => {
    assert.equal(canonicalBase64('QQ=='), 'QQ==');
    assert.equal(canonicalBase64('QR=='), 'QQ==', 'unused low bits are dropped');
    assert.equal(canonicalBase64('QUI='), 'QUI=');
    for (const bad of ['QQ', 'Q===', 'a b=', 'QQ==QQ==', '_-==']) assert.equal(canonicalBase64(bad), undefined, bad);
    const policy = parsePolicy('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"BinaryEquals":{"x:b":"QR=="}}}}', { kind: 'identity' });
    const req = (b: string) => authorize({ action: 's3:GetObject', resource: '*', context: createContext({ 'x:b': b }) }, { identity: [{ name: 'p', policy }] });
    assert.equal(req('QQ=='), 'Allow');
    assert.equal(req('QUI='), 'ImplicitDeny');
  });
});

describe('template.ts', () => {
  const ctx = createContext({ 'aws:username': 'bob', 'aws:TagKeys': ['a', 'b'], 'x:star': 'a*', 'x:var': '${aws:username}' });
  const text = (t: string, c = ctx) => parseTemplate(t, true).resolveText(c);

  it('substitutes variables with case-insensitive keys and quoted defaults', () => {
    assert.equal(text('arn:aws:s3:::b/${aws:username}/*'), 'arn:aws:s3:::b/bob/*');
    assert.equal(text('${AWS:UserName}'), 'bob');
    assert.equal(text("${aws:userid, 'anon'}"), 'anon');
    assert.equal(text("${aws:username,'anon'}"), 'bob');
    assert.equal(text("${aws:userid, 'it''s'}"), "it's");
    assert.equal(text("${aws:userid, 'A}b'}"), 'A}b', 'a } inside quotes does not close the variable');
    assert.equal(text("${aws:userid, ''}"), '');
  });

  it('treats ${*}, ${?} and ${$} as literal characters, never wildcards', () => {
    assert.equal(text('a${*}b${?}c${$}'), 'a*b?c$');
    const p = parseTemplate('a${*}', true).constantPattern!;
    assert.equal(globMatch(p, 'a*'), true);
    assert.equal(globMatch(p, 'ab'), false);
  });

  it('leaves absent, multivalued and malformed variables unresolved', () => {
    assert.equal(text('${aws:userid}'), undefined);
    assert.equal(text('${aws:TagKeys}'), undefined);
    assert.equal(text("${aws:TagKeys, 'many'}"), 'many');
    for (const bad of ['${foo', 'x${aws:username', '${}', '${a b}', '${aws:username, unquoted}', "${aws:username, 'x' 'y'}", "${aws:username, 'x'"]) {
      assert.equal(text(bad), undefined, bad);
      assert.equal(parseTemplate(bad, true).resolvePattern(ctx), undefined, bad);
    }
  });

  it('substitutes one round only, and substituted text is literal', () => {
    assert.equal(text('${x:var}'), '${aws:username}');
    assert.equal(text("${aws:userid, '${aws:username}'}"), '${aws:username}');
    const p = parseTemplate('arn:aws:s3:::b/${x:star}', true).resolvePattern(ctx)!;
    assert.equal(globMatch(p, 'arn:aws:s3:::b/a*'), true);
    assert.equal(globMatch(p, 'arn:aws:s3:::b/abc'), false);
  });

  it('keeps 2008-10-17 text literal', () => {
    const t = parseTemplate('b/${aws:username}', false);
    assert.equal(t.hasVariables, false);
    assert.equal(t.resolveText(ctx), 'b/${aws:username}');
  });

  it('treats variables named like Object.prototype members (${constructor}, ${__proto__}, ${toString}) as variables, not JS internals', () => {
    const names = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty'];
    const outcome = (name: string) => {
      try {
        const resolved = parseTemplate(`b/\${${name}}`, true).resolveText(createContext({}));
        return resolved === undefined ? 'unresolved' : `resolved to ${JSON.stringify(resolved)}`;
      } catch (err) {
        return `threw ${String(err)}`;
      }
    };
    // An absent key leaves a template unresolved (template.ts header).
    assert.deepEqual(Object.fromEntries(names.map((n) => [n, outcome(n)])), Object.fromEntries(names.map((n) => [n, 'unresolved'])));
  });
});

describe('context.ts', () => {
  it('stores keys case-insensitively and fills aws:CurrentTime and aws:EpochTime from now', () => {
    const now = Date.UTC(2024, 6, 4, 12, 30, 45, 678);
    const ctx = createContext({ 'AWS:UserName': 'bob', 'aws:TagKeys': [] }, { now });
    assert.equal(ctx.get('aws:username'), 'bob');
    assert.deepEqual(ctx.get('aws:tagkeys'), []);
    assert.equal(ctx.get('aws:currenttime'), '2024-07-04T12:30:45Z');
    assert.equal(ctx.get('aws:epochtime'), '1720096245');
    const given = createContext({ 'aws:CurrentTime': '2020-01-01T00:00:00Z', 'AWS:EPOCHTIME': '5' }, { now });
    assert.equal(given.get('aws:currenttime'), '2020-01-01T00:00:00Z');
    assert.equal(given.get('aws:epochtime'), '5');
    assert.equal(createContext({}).get('aws:currenttime'), undefined);
  });

  it('derives gatehouse:MinuteOfDay and DayOfWeek (Monday = 1, Sunday = 7) in the configured zone', () => {
    const at = (iso: string, timeZone?: string) => {
      const ctx = createContext({}, { now: Date.parse(iso), ...(timeZone ? { timeZone } : {}) });
      return [ctx.get('gatehouse:minuteofday'), ctx.get('gatehouse:dayofweek')];
    };
    assert.deepEqual(at('2024-01-07T23:59:00Z'), ['1439', '7']);
    assert.deepEqual(at('2024-01-08T00:00:00Z'), ['0', '1']);
    // America/New_York springs forward at 02:00 EST on 2024-03-10 (a Sunday) and falls back at 02:00 EDT on 2024-11-03.
    assert.deepEqual(at('2024-03-10T06:59:00Z', 'America/New_York'), ['119', '7']);
    assert.deepEqual(at('2024-03-10T07:00:00Z', 'America/New_York'), ['180', '7']);
    assert.deepEqual(at('2024-11-03T05:30:00Z', 'America/New_York'), ['90', '7']);
    assert.deepEqual(at('2024-11-03T06:30:00Z', 'America/New_York'), ['90', '7']);
    // Pacific/Auckland is UTC+13 in January: 11:00Z on Monday 1 January is midnight on Tuesday the 2nd.
    assert.deepEqual(at('2024-01-01T10:59:00Z', 'Pacific/Auckland'), ['1439', '1']);
    assert.deepEqual(at('2024-01-01T11:00:00Z', 'Pacific/Auckland'), ['0', '2']);
    assert.deepEqual(timeOfDay(Date.parse('2024-01-01T00:00:00Z'), 'America/New_York'), { minuteOfDay: 19 * 60, dayOfWeek: 7 });
  });

  it('keeps explicit time-of-day values and ignores an unparsable or absent aws:CurrentTime', () => {
    const ctx = createContext({ 'gatehouse:MinuteOfDay': '5' }, { now: Date.UTC(2024, 0, 1, 12) });
    assert.equal(ctx.get('gatehouse:minuteofday'), '5');
    assert.equal(ctx.get('gatehouse:dayofweek'), '1');
    assert.equal(createContext({ 'aws:CurrentTime': 'garbage' }).get('gatehouse:dayofweek'), undefined);
    assert.equal(createContext({}).get('gatehouse:minuteofday'), undefined);
    assert.equal(isValidTimeZone('Pacific/Auckland'), true);
    assert.equal(isValidTimeZone('Mars/Olympus_Mons'), false);
  });

  it('treats an aws:CurrentTime outside the representable date range as not a date, without throwing', () => {
    for (const t of ['999999999999999', '-999999999999999']) {
      const ctx = createContext({ 'aws:CurrentTime': t });
      assert.doesNotThrow(() => ctx.get('gatehouse:dayofweek'), t);
    }
  });
});

describe('size.ts', () => {
  it('counts every character except space, tab, LF and CR, including inside strings', () => {
    assert.equal(policySize('{ "a" : "b c" }'), 10);
    assert.equal(policySize('\t\r\n {}'), 2);
    assert.equal(policySize('"\u00e9\u00ff"'), 4);
    assert.equal(policySize(''), 0);
    const doc = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}';
    const padded = doc.replace(/,/g, ',\n        ');
    assert.equal(parsePolicy(padded, { kind: 'identity', maxSize: doc.length }).size, doc.length);
    assert.throws(() => parsePolicy(padded, { kind: 'identity', maxSize: doc.length - 1 }), MalformedPolicyDocument);
  });
});

describe('cache.ts', () => {
  const doc = (action: string) => `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"${action}","Resource":"*"}}`;

  it('returns the same compiled object for the same text and kind, and distinct ones otherwise', () => {
    const cache = new PolicyCache();
    const a = cache.get(doc('s3:*'), { kind: 'identity' });
    assert.equal(cache.get(doc('s3:*'), { kind: 'identity' }), a);
    assert.notEqual(cache.get(doc('s3:*'), { kind: 'session' }), a);
    assert.notEqual(cache.get(` ${doc('s3:*')}`, { kind: 'identity' }), a, 'keyed by exact text');
    assert.equal(cache.size, 3);
  });

  it('evicts the least recently used entry past capacity', () => {
    const cache = new PolicyCache(2);
    const a = cache.get(doc('a:a'), { kind: 'identity' });
    const b = cache.get(doc('b:b'), { kind: 'identity' });
    assert.equal(cache.get(doc('a:a'), { kind: 'identity' }), a, 'a is now most recent');
    cache.get(doc('c:c'), { kind: 'identity' });
    assert.equal(cache.size, 2);
    assert.equal(cache.get(doc('a:a'), { kind: 'identity' }), a, 'a survived');
    assert.notEqual(cache.get(doc('b:b'), { kind: 'identity' }), b, 'b was evicted and recompiled');
  });

  it('throws MalformedPolicyDocument for a bad document and does not cache it', () => {
    const cache = new PolicyCache(2);
    for (let i = 0; i < 2; i++) assert.throws(() => cache.get('{"Statement":[]}', { kind: 'identity' }), MalformedPolicyDocument);
    assert.equal(cache.size, 0);
  });
});
