import { PrismaClient } from "@prisma/client";

const prisma = new PrismaClient();

export async function byEmail(email: string) {
  // ruleid: js-sql-injection
  return prisma.$queryRawUnsafe(`SELECT * FROM "User" WHERE email = '${email}'`);
}

export async function byEmailSafe(email: string) {
  // ok: js-sql-injection
  return prisma.$queryRaw`SELECT * FROM "User" WHERE email = ${email}`;
}
