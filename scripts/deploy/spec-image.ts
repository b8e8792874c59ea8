/**
 * The spec side of a deploy: name a new image tag in a stack spec, the way Argo CD's image
 * updater writes back to git. The file is edited in place: only the characters of each tag
 * change, so comments, blank lines, key order, quoting and flow or block style stay as written.
 */
import { isMap, isScalar, isSeq, parse, parseDocument, Scalar } from 'yaml';

/** ImageChange is one service whose image tag the edit changed (or would set again). */
export interface ImageChange {
  service: string;
  repository: string;
  from: string;
  to: string;
}

/** SpecImageEdit is the edited text and the services it names the new tag for. */
export interface SpecImageEdit {
  text: string;
  /** Every service running an image of the repositories, changed or already at the tag. */
  services: ImageChange[];
}

/** scalarText writes a tag as YAML: plain when it reads back as the same string, else quoted. */
function scalarText(tag: string, style: Scalar['type']): string {
  if (style === Scalar.QUOTE_SINGLE) return `'${tag.replaceAll("'", "''")}'`;
  if (style === Scalar.QUOTE_DOUBLE) return JSON.stringify(tag);
  return parse(tag) === tag ? tag : JSON.stringify(tag);
}

/**
 * setImageTag names `tag` in every service of the spec `text` whose image is an image of one of
 * `repositories` (`image: { repository, tag }`); services with another image are left alone.
 * Throws when the text is not one YAML document, or no service runs an image of the repositories
 * (a deploy that would change nothing must say so).
 */
export function setImageTag(
  text: string,
  tag: string,
  repositories: readonly string[],
): SpecImageEdit {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new Error(`the spec is not valid YAML: ${document.errors[0]?.message}`);
  }
  const services = document.get('services');
  const edits: Array<{ start: number; end: number; replacement: string }> = [];
  const found: ImageChange[] = [];
  for (const service of isSeq(services) ? services.items : []) {
    if (!isMap(service)) continue;
    const image = service.get('image', true);
    if (!isMap(image)) continue;
    const repository = image.get('repository');
    if (typeof repository !== 'string' || !repositories.includes(repository)) continue;
    const current = image.get('tag', true);
    if (!isScalar(current) || !current.range) {
      throw new Error(`services.${String(service.get('name'))}.image.tag is not a plain value`);
    }
    const from = String(current.value);
    found.push({ service: String(service.get('name')), repository, from, to: tag });
    if (from === tag) continue;
    const [start, end] = current.range;
    edits.push({ start, end, replacement: scalarText(tag, current.type) });
  }
  if (found.length === 0) {
    throw new Error(`no service runs an image of ${repositories.join(' or ')}`);
  }
  let edited = text;
  for (const { start, end, replacement } of edits.sort((a, b) => b.start - a.start)) {
    edited = `${edited.slice(0, start)}${replacement}${edited.slice(end)}`;
  }
  return { text: edited, services: found };
}
