import { describeRoutedMethodInDaemon } from './support/routed-method';

jest.setTimeout(300_000);

/** SERAC in the daemon: a scoped record routed by the scope detector, answered by the counterfactual model. */
describeRoutedMethodInDaemon({
  method: 'serac',
  kind: 'context',
  title: 'SERAC in the daemon (embedded engine, fixture model, models/serac)',
  behaviour: 'answers an in-scope request with the counterfactual model and any other with the base model, and rolls back',
});
