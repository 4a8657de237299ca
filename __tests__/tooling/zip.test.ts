import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deterministicZip } from '../../tooling/zip';

describe('deterministicZip', () => {
  const entries = [
    { name: 'index.js.map', data: Buffer.from('{"version":3}') },
    { name: 'index.js', data: Buffer.from('exports.handler=async()=>1;\n'.repeat(50)) },
  ];

  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('gives the same bytes whatever the entry order', () => {
    expect(deterministicZip(entries).equals(deterministicZip([...entries].reverse()))).toBe(true);
  });

  it('is a valid zip that standard tools extract to the same content', () => {
    const dir = mkdtempSync(join(__dirname, '..', '..', '.tmp', 'zip-'));
    const file = join(dir, 'a.zip');
    writeFileSync(file, deterministicZip(entries));
    const listing = execFileSync(
      'python3',
      [
        '-c',
        'import sys,zipfile,json; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(json.dumps({i.filename: z.read(i).decode() for i in z.infolist()}))',
        file,
      ],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(listing)).toEqual(Object.fromEntries(entries.map((e) => [e.name, e.data.toString()])));
  });
});
