import { ApiKey } from './api-key.entity';
import { AuditResult } from './audit-result.entity';
import { Audit } from './audit.entity';
import { EditOperationRow } from './edit-operation.entity';
import { ErasureRequest } from './erasure-request.entity';
import { Fact } from './fact.entity';
import { ModelVersion } from './model-version.entity';

export { ApiKey, Audit, AuditResult, EditOperationRow, ErasureRequest, Fact, ModelVersion };

/** Every table ked maps; the schema itself comes only from `migrations/`. */
export const ENTITIES = [Fact, ModelVersion, EditOperationRow, ErasureRequest, Audit, AuditResult, ApiKey];
