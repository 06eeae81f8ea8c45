/** A minimal XML tree and serializer for JMeter test plans (JMeter's own SaveService format). */
export interface XmlNode {
  readonly tag: string;
  readonly attrs?: Readonly<Record<string, string>>;
  /** Child elements, or text content. */
  readonly children?: readonly XmlNode[] | string;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function attrsOf(attrs: XmlNode['attrs']): string {
  if (!attrs) return '';
  return Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
}

function write(node: XmlNode, depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  const open = `${pad}<${node.tag}${attrsOf(node.attrs)}`;
  if (node.children === undefined || node.children.length === 0) {
    out.push(`${open}/>`);
  } else if (typeof node.children === 'string') {
    // Text is escaped, never wrapped in CDATA, so scripts containing "]]>" stay valid.
    out.push(`${open}>${escapeXml(node.children)}</${node.tag}>`);
  } else {
    out.push(`${open}>`);
    for (const child of node.children) write(child, depth + 1, out);
    out.push(`${pad}</${node.tag}>`);
  }
}

export function serializeXml(root: XmlNode): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  write(root, 0, out);
  return out.join('\n') + '\n';
}
