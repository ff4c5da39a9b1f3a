/**
 * The rehearsal of a stack's life (issues 18 and 19): for each change users make to a running app,
 * version 1 and version 2 are synthesized under both flag sets and checked for what AWS enforces:
 * no unique name held twice, every request routed to its service, no listener, rule, record or
 * endpoint created while another holds its name, no deployment setting removed instead of turned
 * off, and exactly the replacements the row states. A new prop is rehearsed by adding one line.
 *
 * A row that fails today because of a known bug names the issue point in `broken` and runs as
 * `test.failing`: the suite turns red the day the fix lands until the flag is removed.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  brokenUnder, FLAG_SETS, FlagSet, rehearse, rehearseCreate, renderChangeTable,
} from './rehearsal/index';
import { CREATE_ROWS, ROWS } from './rehearsal/rows';

/** `test`, or `test.failing` for a row broken under this flag set. */
const testOf = (broken: string | undefined) => (broken ? test.failing : test);

describe.each(FLAG_SETS)('under the flags %s', (flags: FlagSet) => {
  describe('an update of a running app', () => {
    for (const row of ROWS) {
      const broken = brokenUnder(row.broken, flags);
      testOf(broken)(`${row.name}${broken ? ` (broken: ${broken})` : ''}`, () => {
        expect(rehearse(row, flags).problems).toEqual([]);
      });
    }
  });

  describe('an app at create', () => {
    for (const row of CREATE_ROWS) {
      const broken = brokenUnder(row.broken, flags);
      testOf(broken)(`${row.name}${broken ? ` (broken: ${broken})` : ''}`, () => {
        expect(rehearseCreate(row, flags)).toEqual([]);
      });
    }
  });
});

describe('the README section "Changing a running service"', () => {
  test('is the table of the rows', () => {
    const table = renderChangeTable(ROWS);
    expect(table.split('\n')).toHaveLength(ROWS.length + 2);
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf-8');
    const section = readme.split(/^## /m).find((s) => s.startsWith('Changing a running service\n'));
    expect(section).toContain(table);
  });
});
