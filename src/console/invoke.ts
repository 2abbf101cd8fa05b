/**
 * Running an IAM or STS action from the console: src/api's invoke, with the console
 * session's caller, so every console action is validated and authorised exactly as the
 * same API call would be. Inputs are typed values (numbers as numbers, booleans as
 * booleans); a form field left empty ('' or undefined) is an absent member.
 */
import type { Response } from 'express';
import { ValidationError } from '../shared/errors.js';
import type { Api, IamAction, IamInputs, IamOutputs, Input, Operation, Output } from '../api/index.js';

let api: Api | undefined;

/** Set once by the composition root. */
export function setConsoleApi(a: Api): void {
  api = a;
}

function theApi(): Api {
  if (!api) throw new Error('console: the API is not set');
  return api;
}

/** Runs an IAM action with its typed input. */
export async function invoke<A extends IamAction>(op: Operation, action: A, input?: IamInputs[A]): Promise<IamOutputs[A]> {
  return (await theApi().invokeNamed('iam', action, compact(input ?? {}), op)) as IamOutputs[A];
}

/** Runs an action whose name is built at run time (pages shared by users, groups and roles); the input is checked against the model all the same. */
export async function invokeNamed(op: Operation, action: string, input: Readonly<Input> = {}, service: 'iam' | 'sts' = 'iam'): Promise<Output> {
  return theApi().invokeNamed(service, action, compact(input), op);
}

/** A form field as an integer member: '' is absent; anything but digits is refused as the API refuses it. */
export function integerField(value: string, member: string): number | undefined {
  if (value === '') return undefined;
  if (!/^-?\d{1,15}$/.test(value)) {
    const path = member.charAt(0).toLowerCase() + member.slice(1);
    throw new ValidationError(`1 validation error detected: Value '${value.slice(0, 256)}' at '${path}' failed to satisfy constraint: Member must be a number`);
  }
  return Number(value);
}

/** An access key's statuses (UpdateAccessKey's Status). */
export const STATUSES = ['Active', 'Inactive'] as const;

/** A form field as an enum member: anything but one of `allowed` is refused as the API refuses it. */
export function enumField<T extends string>(value: string, allowed: readonly T[], member: string): T {
  const found = allowed.find((a) => a === value);
  if (found !== undefined) return found;
  const path = member.charAt(0).toLowerCase() + member.slice(1);
  throw new ValidationError(`1 validation error detected: Value '${value.slice(0, 256)}' at '${path}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`);
}

function compact(input: object): Input {
  const out: Input = {};
  for (const [k, v] of Object.entries(input)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

export function opOf(res: Response): Operation {
  return res.locals.op as Operation;
}
