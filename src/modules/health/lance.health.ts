import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { LanceService } from '../../memory/vector/lance.service';

@Injectable()
export class LanceHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly lance: LanceService,
  ) {}

  async isHealthy(key: 'lancedb') {
    const indicator = this.indicators.check(key);
    try {
      return indicator.up(await this.lance.ping());
    } catch (err) {
      return indicator.down({ message: (err as Error).message });
    }
  }
}
