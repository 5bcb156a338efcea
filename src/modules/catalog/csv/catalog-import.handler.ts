import { Injectable } from '@nestjs/common';
import { Jobs, OnJob, PayloadOf } from '@app/common';
import { CatalogImportService } from './catalog-import.service';

/** Worker side of large CSV imports: one job per stored run (the job's payload names it). */
@Injectable()
export class CatalogImportHandler {
  constructor(private readonly imports: CatalogImportService) {}

  @OnJob(Jobs.CatalogImport)
  run(payload: PayloadOf<typeof Jobs.CatalogImport>): Promise<{ run_id: string; status: string }> {
    return this.imports.runStored(payload.run_id);
  }
}
