FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
EXPOSE 4000 6443
CMD ["node", "--import", "tsx", "services/app/main.ts"]
