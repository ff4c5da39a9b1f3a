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
  brokenUnder, cachedSynth, FLAG_SETS, FlagSet, rehearse, rehearseCreate, renderChangeTable, Row,
} from './rehearsal/index';
import { Moment, playCreate, playUpdate } from './rehearsal/lifecycle';
import { CREATE_ROWS, ROWS } from './rehearsal/rows';

/** A problem the row documents as harmless: a delete the cleanup pass skips for a reason the row names. */
const harmless = (row: Row, problem: string) => row.skippedDeletes !== undefined && /the cleanup pass skipped the delete/.test(problem) && row.skippedDeletes.test(problem);

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

  /*
   * Each row played through the model of AWS (test/aws): v1 created, no ECS deployment (even) or one (odd, all
   * traffic on the alternate target groups), then v2 deployed in CloudFormation's passes; once it succeeds, once
   * it fails at the last resource of the last stack it changes and rolls back.
   */
  describe.each<[Moment, boolean]>([['even', false], ['even', true], ['odd', false], ['odd', true]])(
    'an update deployed after an %s number of ECS deployments (rolled back: %s), against AWS as it behaves', (moment, rollback) => {
      const rows = ROWS.filter((row) => !(typeof row.expect === 'object' && 'refused' in row.expect));
      for (const row of rows) {
        test(row.name, async () => {
          const run = await playUpdate(cachedSynth(row.v1, flags), cachedSynth(row.v2, flags), moment, rollback);
          const refused = moment === 'odd' ? row.afterOddDeployment?.refused : undefined;
          const statuses = Object.values(run.statuses);
          expect(statuses.filter((status) => /FAILED$/.test(status))).toEqual([]);
          if ((rollback && run.failStack) || refused) {
            expect(statuses.filter((status) => status === 'UPDATE_ROLLBACK_COMPLETE')).toHaveLength(1);
            if (!rollback) expect(run.failure).toMatch(refused!);
          } else if (rollback) {
            // An update that only removes resources: nothing fails before its cleanup pass.
            expect(statuses.every((status) => status === 'UPDATE_COMPLETE')).toBe(true);
          } else {
            expect(statuses.every((status) => status === 'UPDATE_COMPLETE')).toBe(true);
          }
          expect(run.problems.filter((problem) => !harmless(row, problem))).toEqual([]);
        });
      }
    });

  describe('an app at create', () => {
    for (const row of CREATE_ROWS) {
      const broken = brokenUnder(row.broken, flags);
      testOf(broken)(`${row.name}${broken ? ` (broken: ${broken})` : ''}`, () => {
        expect(rehearseCreate(row, flags)).toEqual([]);
      });
      test(`${row.name}, created against AWS as it behaves`, async () => {
        const run = await playCreate(cachedSynth(row.app, flags));
        expect(Object.values(run.statuses).every((status) => status === 'CREATE_COMPLETE')).toBe(true);
        expect(run.problems).toEqual([]);
      });
    }
  });
});

describe('the page "Changing a running service" (docs/updates.md)', () => {
  test('is the table of the rows', () => {
    const table = renderChangeTable(ROWS);
    expect(table.split('\n')).toHaveLength(ROWS.length + 2);
    const page = fs.readFileSync(path.join(__dirname, '..', 'docs', 'updates.md'), 'utf-8');
    expect(page.startsWith('# Changing a running service\n')).toBe(true);
    expect(page).toContain(table);
  });
});
