# Near-miss negative (must not be reported): the final stage switches to an
# unprivileged user. Plain comment instead of an ok-annotation because
# semgrep --test rejects a file that has annotations but no findings.
FROM node:20-alpine AS deps
WORKDIR /app
COPY package*.json ./
RUN npm ci --omit=dev

FROM node:20-alpine
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
USER node
CMD ["node", "server.js"]
