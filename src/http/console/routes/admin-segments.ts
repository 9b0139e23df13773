import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SEGMENT_TYPE_LABELS } from '../../../core/carrier.js';
import type { SegmentUpdateReport } from '../../../service/segments/segment-report.js';
import { MAX_SEGMENT_FILE_BYTES, type SegmentsInUse } from '../../../service/segments/segment-service.js';
import type { SegmentOverride, SegmentVersion } from '../../../store/store.js';
import type {
  SegmentOverrideInput,
  SegmentOverrideView,
  SegmentReportView,
  SegmentVersionView,
  SegmentsInUseView,
  SegmentsView,
} from '../../../wire/console-api.js';
import type { AppDeps } from '../../app-deps.js';
import { ConsoleError } from '../console-error.js';
import { operatorActor, requireOperator } from '../guards.js';
import { pathId } from '../request-input.js';

const MAX_FILE_NAME_LENGTH = 200;
const MAX_FIELD_LENGTH = 200;

function inUseView({ revision, ...inUse }: SegmentsInUse): SegmentsInUseView {
  void revision; // for the nodes' polling, not for people
  return inUse;
}

function versionView(version: SegmentVersion): SegmentVersionView {
  return { ...version, createdAt: version.createdAt.toISOString() };
}

function overrideView(override: SegmentOverride): SegmentOverrideView {
  return {
    ...override,
    type: override.type === null ? null : SEGMENT_TYPE_LABELS[override.type],
    createdAt: override.createdAt.toISOString(),
  };
}

function reportView(report: SegmentUpdateReport): SegmentReportView {
  return {
    ...report,
    diff: {
      ...report.diff,
      examples: report.diff.examples as SegmentReportView['diff']['examples'],
      carrierChanges: [...report.diff.carrierChanges],
    },
    overridesNowAgreeing: report.overridesNowAgreeing.map(overrideView),
    applied: report.applied ? versionView(report.applied) : null,
  };
}

/** The form: field `apply` (`true` applies, anything else checks only) and one file `file`, in memory. */
async function receiveSegmentFile(
  request: FastifyRequest,
): Promise<{ apply: boolean; fileName: string; bytes: Buffer }> {
  if (!request.isMultipart()) throw new ConsoleError('invalid_file', 'send the file as multipart/form-data');
  let apply = false;
  let file: { fileName: string; bytes: Buffer } | undefined;
  for await (const part of request.parts({ limits: { fileSize: MAX_SEGMENT_FILE_BYTES, fields: 5 } })) {
    if (part.type === 'field') {
      if (part.fieldname === 'apply') apply = String(part.value) === 'true';
      continue;
    }
    if (part.fieldname !== 'file' || file) {
      part.file.resume();
      throw new ConsoleError('bad_request', 'send exactly one file, in field file');
    }
    const bytes = await part.toBuffer();
    file = { fileName: (part.filename || 'segments.dat').slice(-MAX_FILE_NAME_LENGTH), bytes };
  }
  if (!file) throw new ConsoleError('bad_request', 'send exactly one file, in field file');
  return { apply, ...file };
}

function text(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > MAX_FIELD_LENGTH)
    throw new ConsoleError('bad_request', `${what} must be text of at most ${MAX_FIELD_LENGTH} characters`);
  return value;
}

/** The operator's segment data: upload with a report, versions and rollback, overrides, coverage. */
export function adminSegmentRoutes(app: FastifyInstance, deps: Pick<AppDeps, 'segments'>): void {
  const { segments } = deps;

  app.get('/admin/data/segments', async (request): Promise<SegmentsView> => {
    requireOperator(request);
    const [versions, overrides] = await Promise.all([segments.versions(), segments.overrides()]);
    return {
      inUse: inUseView(segments.inUse),
      versions: versions.map(versionView),
      overrides: overrides.map(overrideView),
      coverage: (({ blocks, totals }) => ({ blocks: [...blocks], totals }))(segments.coverage()),
    };
  });

  app.post('/admin/data/segments', async (request): Promise<SegmentReportView> => {
    const actor = operatorActor(request);
    const { apply, fileName, bytes } = await receiveSegmentFile(request);
    const report = apply
      ? await segments.update(actor, fileName, bytes)
      : await segments.check(fileName, bytes);
    request.log.info(
      { fileName, applied: report.applied?.id ?? null, segments: report.segments },
      apply ? 'segment file applied' : 'segment file checked',
    );
    return reportView(report);
  });

  app.post('/admin/data/segments/rollback', async (request) => {
    const actor = operatorActor(request);
    const version = (request.body as { version?: unknown } | undefined)?.version;
    if (!(
      version === undefined ||
      version === 'default' ||
      (Number.isSafeInteger(version) && (version as number) > 0)
    ))
      throw new ConsoleError('bad_request', 'version: a version id, or default');
    return inUseView(await segments.rollback(actor, version as number | 'default' | undefined));
  });

  app.post('/admin/data/segments/overrides', async (request) => {
    const actor = operatorActor(request);
    const body = (request.body ?? {}) as Partial<Record<keyof SegmentOverrideInput, unknown>>;
    const set = await segments.setOverride(actor, {
      prefixes: text(body.prefixes, 'prefixes') ?? '',
      province: text(body.province, 'province'),
      city: text(body.city, 'city'),
      zip: text(body.zip, 'zip'),
      areaCode: text(body.areaCode, 'areaCode'),
      type: text(body.type, 'type'),
      note: text(body.note, 'note'),
    });
    return overrideView(set);
  });

  app.delete('/admin/data/segments/overrides/:id', async (request) => {
    const actor = operatorActor(request);
    await segments.unsetOverride(actor, pathId(request.params, 'override'));
    return { ok: true };
  });
}
