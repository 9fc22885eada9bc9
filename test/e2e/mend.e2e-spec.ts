import { describeRoutedMethodInDaemon } from './support/routed-method';

jest.setTimeout(300_000);

/** MEND in the daemon: the trained editor networks (models/mend) make a delta the scope detector routes. */
describeRoutedMethodInDaemon({
  method: 'mend',
  kind: 'delta',
  title: 'MEND in the daemon (embedded engine, fixture model, models/mend)',
  behaviour: 'routes the edit to its prompt only, answers the new object there, and rolls back',
});
