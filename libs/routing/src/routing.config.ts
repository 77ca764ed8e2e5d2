import { registerAs } from '@nestjs/config';
import { z } from 'zod';
import { parseEnv } from '@app/common';

const schema = z.object({
  /** The model catalog (providers, models). Without it the shipped demo config, served by the mock provider. */
  SWITCHYARD_CONFIG: z.string().min(1).default('config/switchyard.demo.yaml'),
});

export const routingConfig = registerAs('routing', () => ({
  configPath: parseEnv('routing', schema).SWITCHYARD_CONFIG,
}));
