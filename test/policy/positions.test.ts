/**
 * Statement positions (src/policy/positions.ts) against what IAM's simulator answers:
 * - the AWS CLI's example document (one line, Statement an object): 1:38 to 1:167;
 * - AdministratorAccess as IAM stores it (2-space indents, Statement an array): 3:17 to 8:6,
 *   as SimulatePrincipalPolicy reports it;
 * - a one-line document with `": "` separators, Statement an array: it starts at 1:41.
 * Later statements in an array start just after the previous one's `}`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statementSpans } from '../../src/policy/positions.js';

describe('statement positions', () => {
  it('match the positions IAM reports', () => {
    const example = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}';
    assert.deepEqual(statementSpans(example), [{ start: { Line: 1, Column: 38 }, end: { Line: 1, Column: 167 } }]);
    const admin = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, null, 2);
    assert.deepEqual(statementSpans(admin), [{ start: { Line: 3, Column: 17 }, end: { Line: 8, Column: 6 } }]);
    const spaced = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}';
    assert.equal(statementSpans(spaced)?.[0]?.start.Column, 41);
  });

  it('later statements start after the previous one; strings with braces, keys before Statement, CRLF', () => {
    const text = '{\r\n "Id": "x{[",\r\n "Statement": [ {"Sid": "A}", "Effect": "Allow", "Action": "*", "Resource": "*"},\r\n  {"Effect": "Deny", "Action": "a:b", "Resource": ["\\"}"]} ],\r\n "Version": "2012-10-17"\r\n}';
    const spans = statementSpans(text)!;
    assert.equal(spans.length, 2);
    const lines = text.split('\n');
    // The first starts just after `[` on line 3; it ends just after its `}`, where the second starts.
    assert.deepEqual(spans[0]!.start, { Line: 3, Column: lines[2]!.indexOf('[') + 2 });
    assert.deepEqual(spans[0]!.end, spans[1]!.start);
    assert.equal(lines[2]![spans[0]!.end.Column - 2], '}');
    assert.equal(lines[3]![spans[1]!.end.Column - 2], '}');
    assert.equal(spans[1]!.end.Line, 4);
  });

  it('gives up (undefined) on text it cannot place', () => {
    assert.equal(statementSpans('[]'), undefined);
    assert.equal(statementSpans('{"Version": "2012-10-17"}'), undefined);
  });
});
