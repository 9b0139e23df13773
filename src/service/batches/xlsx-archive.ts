/**
 * What an .xlsx upload may expand to, read from its zip directory before anything is unpacked: a
 * 400 KB workbook can hold a 400 MB string, and ten of them at once would not fit in memory.
 * The directory can lie about sizes: every entry is then inflated, never kept, and one that
 * unpacks to more than its directory says refuses the workbook (the parse also runs under a
 * memory bound, xlsx-reader.ts, but a heap that runs out in the middle of one large allocation
 * can end the process, not only the worker).
 */
import { fromBuffer, type Entry, type ZipFile } from 'yauzl';
import { ServiceError } from '../service-error.js';

/** Everything a workbook unpacks to: a million numbers in one column take about 100 MB. */
export const MAX_XLSX_EXPANDED_BYTES = 256 * 1024 * 1024;
/** The shared strings (every text cell of the workbook, once each). */
export const MAX_XLSX_SHARED_STRINGS_BYTES = 96 * 1024 * 1024;
/** Files in the archive: a workbook has a few dozen. */
export const MAX_XLSX_ENTRIES = 2000;

function tooBig(message: string): ServiceError {
  return new ServiceError('invalid_file', `the workbook is too large once unpacked: ${message}`);
}

function entries(content: Buffer): Promise<{ name: string; size: number }[]> {
  return new Promise((resolve, reject) => {
    fromBuffer(content, { lazyEntries: true, validateEntrySizes: true }, (error, zip?: ZipFile) => {
      if (error || !zip) {
        reject(
          new ServiceError(
            'invalid_file',
            'the file is not an .xlsx workbook (its zip directory cannot be read)',
          ),
        );
        return;
      }
      const found: { name: string; size: number }[] = [];
      zip.on('entry', (entry: Entry) => {
        found.push({ name: entry.fileName, size: entry.uncompressedSize });
        if (found.length > MAX_XLSX_ENTRIES) {
          zip.close();
          reject(tooBig(`more than ${MAX_XLSX_ENTRIES} files`));
          return;
        }
        zip.readEntry();
      });
      zip.on('end', () => resolve(found));
      zip.on('error', () =>
        reject(new ServiceError('invalid_file', 'the workbook is damaged (its zip directory)')),
      );
      zip.readEntry();
    });
  });
}

/** Refuses a workbook whose directory says it unpacks to more than mnpd reads of a batch file. */
export async function checkXlsxArchive(content: Buffer): Promise<void> {
  let total = 0;
  for (const { name, size } of await entries(content)) {
    total += size;
    if (/sharedStrings\.xml$/i.test(name) && size > MAX_XLSX_SHARED_STRINGS_BYTES) {
      throw tooBig(
        `its text cells take ${Math.round(size / 2 ** 20)} MB, at most ${MAX_XLSX_SHARED_STRINGS_BYTES / 2 ** 20} MB`,
      );
    }
    if (total > MAX_XLSX_EXPANDED_BYTES) throw tooBig(`more than ${MAX_XLSX_EXPANDED_BYTES / 2 ** 20} MB`);
  }
  await checkInflatedSizes(content);
}

/**
 * Inflates every entry and drops the bytes: yauzl stops an entry at the size its directory
 * states, so a lying workbook costs what it claims and no more. zlib works off the main thread.
 */
function checkInflatedSizes(content: Buffer): Promise<void> {
  const lies = () =>
    new ServiceError(
      'invalid_file',
      'the workbook is damaged: a part of it unpacks to another size than it says',
    );
  return new Promise((resolve, reject) => {
    fromBuffer(content, { lazyEntries: true, validateEntrySizes: true }, (error, zip?: ZipFile) => {
      if (error || !zip) return reject(lies());
      const fail = () => {
        zip.close();
        reject(lies());
      };
      zip.on('entry', (entry: Entry) => {
        zip.openReadStream(entry, (openError, stream) => {
          if (openError || !stream) return fail();
          stream.on('error', fail);
          stream.on('end', () => zip.readEntry());
          stream.resume();
        });
      });
      zip.on('end', () => resolve());
      zip.on('error', fail);
      zip.readEntry();
    });
  });
}
