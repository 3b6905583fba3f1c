import { parseCanonicalId } from '@backlog-mcp/shared';
import { invalid } from './errors.js';

/** What an `mcp://backlog/...` URI points at, once proven safe. */
export type ResourceTarget = { kind: 'item'; id: string } | { kind: 'document'; path: string };

const ITEM_URI = /^mcp:\/\/backlog\/tasks\/([^/]+)\.md$/;
const DOCUMENT_URI = /^mcp:\/\/backlog\/resources\/(.+)$/;
/** Conservative file names: no traversal, no hidden files, nothing a shell or OS treats specially. */
const SAFE_SEGMENT = /^[\p{L}\p{N}_][\p{L}\p{N}_.\- ]{0,199}$/u;

export function itemUri(id: string): string {
  return `mcp://backlog/tasks/${id}.md`;
}

export function parseResourceUri(uri: string): ResourceTarget {
  const expected = 'mcp://backlog/tasks/<ID>.md or mcp://backlog/resources/<path>';
  const item = ITEM_URI.exec(uri);
  if (item) {
    const parsed = parseCanonicalId(item[1] as string);
    if (!parsed) throw invalid('uri', `${expected} with a canonical ID such as TASK-0001`, uri);
    return { kind: 'item', id: parsed.id };
  }
  const doc = DOCUMENT_URI.exec(uri);
  if (!doc) throw invalid('uri', expected, uri);
  return { kind: 'document', path: safeRelativePath(doc[1] as string, uri) };
}

/**
 * Decodes and checks every segment before any adapter sees the path: `..`, absolute
 * paths, encoded slashes and look-alike Unicode never reach the file system.
 */
function safeRelativePath(raw: string, uri: string): string {
  const expected =
    'a path inside resources/ made of plain names (letters, digits, _ - . and spaces; no "..", no leading dot)';
  const segments = raw.split('/').map((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment).normalize('NFC');
    } catch {
      throw invalid('uri', 'a path with valid percent-encoding', uri);
    }
    // An encoded slash must not become a separator after decoding.
    if (decoded === '.' || decoded === '..' || !SAFE_SEGMENT.test(decoded) || decoded.endsWith('.')) {
      throw invalid('uri', expected, uri);
    }
    return decoded;
  });
  return segments.join('/');
}
