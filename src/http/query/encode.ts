/**
 * Encoding an operation's output as AWS query-protocol XML, element by element
 * in the model's order, with AWS's list (`member`) and map (`entry`) wrappers:
 *   <CreateUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
 *     <CreateUserResult><User>…</User></CreateUserResult>
 *     <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>
 *   </CreateUserResponse>
 * Timestamps are ISO-8601 UTC; blobs are base64; absent members are omitted.
 */
import type { ServiceModel, Shape } from '../../api/model.js';

export function encodeResponse(model: ServiceModel, operation: string, output: Record<string, unknown> | undefined, requestId: string): string {
  const op = model.operations[operation]!;
  let result = '';
  if (op.output !== null && op.resultWrapper !== null) {
    result = `<${op.resultWrapper}>${encodeMembers(model, model.shapes[op.output]!, output ?? {})}</${op.resultWrapper}>`;
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${model.metadata.xmlNamespace}">${result}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`
  );
}

/** The AWS error envelope. */
export function encodeError(namespace: string, type: 'Sender' | 'Receiver', code: string, message: string, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

/** A structure's members as [member name, element name, shape name], computed once per shape. */
const memberLists = new WeakMap<Shape, Array<[string, string, string]>>();

function membersOf(shape: Shape): Array<[string, string, string]> {
  let list = memberLists.get(shape);
  if (!list) {
    list = Object.entries(shape.members ?? {}).map(([name, ref]) => [name, ref.locationName ?? name, ref.shape]);
    memberLists.set(shape, list);
  }
  return list;
}

function encodeMembers(model: ServiceModel, shape: Shape, value: Record<string, unknown>): string {
  let out = '';
  for (const [name, element, shapeName] of membersOf(shape)) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    out += encodeElement(model, element, shapeName, v);
  }
  return out;
}

function encodeElement(model: ServiceModel, element: string, shapeName: string, value: unknown): string {
  const shape = model.shapes[shapeName]!;
  switch (shape.type) {
    case 'structure':
      return `<${element}>${encodeMembers(model, shape, value as Record<string, unknown>)}</${element}>`;
    case 'list': {
      const itemName = shape.member!.locationName ?? 'member';
      let items = '';
      for (const item of value as unknown[]) items += encodeElement(model, itemName, shape.member!.shape, item);
      return `<${element}>${items}</${element}>`;
    }
    case 'map': {
      const entries = Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => `<entry><key>${escapeXml(k)}</key>${encodeElement(model, 'value', shape.value!.shape, v)}</entry>`)
        .join('');
      return `<${element}>${entries}</${element}>`;
    }
    default:
      return `<${element}>${scalar(shape, value)}</${element}>`;
  }
}

function scalar(shape: Shape, value: unknown): string {
  switch (shape.type) {
    case 'timestamp': {
      const iso = new Date(value as number | Date).toISOString();
      return `${iso.slice(0, 19)}Z`;
    }
    case 'blob':
      return Buffer.isBuffer(value) ? value.toString('base64') : Buffer.from(String(value)).toString('base64');
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return escapeXml(String(value));
  }
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#xD;' };

const NEEDS_ESCAPE = /[&<>"'\r]/;

export function escapeXml(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(/[&<>"'\r]/g, (c) => XML_ESCAPES[c]!) : s;
}
