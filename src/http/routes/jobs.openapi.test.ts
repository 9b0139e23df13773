import { describe, expect, it } from 'vitest';
import { serverForThisFile } from '../../test-support/test-server.js';

const server = serverForThisFile();

describe('the OpenAPI document', () => {
  it('describes the job endpoints with their parameters and answers', async () => {
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { summary?: string; parameters?: { name: string }[]; responses?: object }>
      >;
    };
    const { paths } = document;
    expect(Object.keys(paths['/jobs']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/jobs/{id}']).sort()).toEqual(['delete', 'get']);
    expect(Object.keys(paths['/jobs/{id}/results'])).toEqual(['get']);
    expect(paths['/jobs'].post.summary).toContain('1000000');
    expect(paths['/jobs'].post.parameters!.map((parameter) => parameter.name)).toEqual(
      expect.arrayContaining(['apikey', 'requestId', 'callbackUrl']),
    );
    expect(paths['/jobs/{id}/results'].get.parameters!.map((parameter) => parameter.name)).toEqual(
      expect.arrayContaining(['id', 'apikey', 'format']),
    );
    expect(Object.keys(paths['/jobs/{id}'].get.responses!)).toEqual(['200', '404']);
  });
});
