import { z } from 'zod';
import { uuidv7 } from '../../db/ids.ts';
import { ConflictError, InvalidStateError, NotFoundError } from '../../errors.ts';
import { Prisma, type Article, type ArticleStatus, type PrismaClient } from '../../generated/prisma/client.ts';
import { recordEvents, type EventType } from '../../events/outbox.ts';
import { conflictOnUnique, parseInput, type Actor } from '../service-kit.ts';
import { localeTag, slug, slugify } from './validation.ts';

/**
 * Knowledge-base writes. `Article.version` counts content revisions: every `updateArticle`
 * bumps it and writes the new title/body as an ArticleVersion (version 1 is written on
 * create), so the history is complete. Publishing and archiving move the status only.
 *
 * Status machine: DRAFT → PUBLISHED | ARCHIVED; PUBLISHED → ARCHIVED; ARCHIVED → PUBLISHED.
 */

type Db = PrismaClient | Prisma.TransactionClient;

/** Writes the outbox event of an article change: the last step of the transaction. */
function articleEvent(tx: Prisma.TransactionClient, actor: Actor, type: EventType, article: Article, payload: Record<string, unknown> = {}) {
  return recordEvents(tx, { workspaceId: actor.workspaceId, kind: actor.kind, agentId: actor.agentId }, [
    { type, subjectType: 'Article', subjectId: article.id, payload: { status: article.status, ...payload } },
  ]);
}

const uuid = z.string().uuid();
const title = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
const body = z.string().max(100_000, 'must be at most 100,000 characters');
const changeNote = z.string().trim().max(500, 'must be at most 500 characters');
const expectedVersion = z.number().int().min(1, 'must be at least 1');

async function assertCategory(db: Db, actor: Actor, categoryId: string | null | undefined, path = 'input.categoryId') {
  if (!categoryId) return;
  const found = await db.articleCategory.findFirst({ where: { id: categoryId, workspaceId: actor.workspaceId }, select: { id: true } });
  if (!found) throw new NotFoundError('ArticleCategory', path);
}

async function findArticle(db: Db, actor: Actor, id: string): Promise<Article> {
  const article = await db.article.findFirst({ where: { id, workspaceId: actor.workspaceId } });
  if (!article) throw new NotFoundError('Article', 'input.id');
  return article;
}

function checkVersion(article: Article, expected: number | null | undefined) {
  if (expected != null && expected !== article.version) {
    throw new ConflictError(
      `input.expectedVersion: the article was changed meanwhile (it is at version ${article.version}); re-read it and retry`,
      'input.expectedVersion',
      article.version,
    );
  }
}

/** `base`, or `base-2`, `base-3`… whichever is free in the workspace. */
async function freeArticleSlug(db: Db, workspaceId: string, base: string): Promise<string> {
  const taken = new Set(
    (await db.article.findMany({ where: { workspaceId, slug: { startsWith: base } }, select: { slug: true } })).map((a) => a.slug),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === 'P2002';
}

export const CreateArticleSchema = z.object({
  title,
  body,
  slug: slug.nullish(),
  locale: localeTag.nullish(),
  categoryId: uuid.nullish(),
  changeNote: changeNote.nullish(),
});

/** Creates a DRAFT and its revision 1. Without a slug, one is made from the title (suffixed when taken). */
export async function createArticle(prisma: PrismaClient, actor: Actor, raw: unknown): Promise<Article> {
  const input = parseInput(CreateArticleSchema, raw);
  await assertCategory(prisma, actor, input.categoryId);
  // A generated slug may lose a race to a concurrent create; pick the next free one and retry.
  for (let attempt = 1; ; attempt++) {
    try {
      return await prisma.$transaction(async (tx) => {
        let articleSlug = input.slug;
        if (articleSlug) {
          const taken = await tx.article.findFirst({ where: { workspaceId: actor.workspaceId, slug: articleSlug }, select: { id: true } });
          if (taken) throw new ConflictError('input.slug: another article already uses this slug', 'input.slug');
        } else {
          articleSlug = await freeArticleSlug(tx, actor.workspaceId, slugify(input.title, 'article'));
        }
        const now = new Date();
        const article = await tx.article.create({
          data: {
            id: uuidv7(now),
            workspaceId: actor.workspaceId,
            categoryId: input.categoryId ?? null,
            authorId: actor.agentId,
            slug: articleSlug,
            title: input.title,
            body: input.body,
            locale: input.locale ?? 'en',
            status: 'DRAFT',
            version: 1,
            createdAt: now,
            updatedAt: now,
          },
        });
        await tx.articleVersion.create({
          data: {
            id: uuidv7(now),
            workspaceId: actor.workspaceId,
            articleId: article.id,
            version: 1,
            title: article.title,
            body: article.body,
            authorId: actor.agentId,
            changeNote: input.changeNote || null,
            createdAt: now,
          },
        });
        await articleEvent(tx, actor, 'article.created', article);
        return article;
      });
    } catch (error) {
      if (!input.slug && isUniqueViolation(error) && attempt < 3) continue;
      conflictOnUnique(error, { slug: 'input.slug' });
    }
  }
}

const CONTENT_FIELDS = ['title', 'body', 'slug', 'locale', 'categoryId'] as const;

export const UpdateArticleSchema = z
  .object({
    id: uuid,
    expectedVersion: expectedVersion.nullish(),
    title: title.optional(),
    body: body.optional(),
    slug: slug.optional(),
    locale: localeTag.optional(),
    categoryId: uuid.nullish(),
    changeNote: changeNote.nullish(),
  })
  .refine((i) => CONTENT_FIELDS.some((f) => i[f] !== undefined), { message: 'give at least one of title, body, slug, locale or categoryId' });

/**
 * Changes content or filing and writes the result as a new revision (version + 1) with the
 * change note and the acting agent. Giving only values the article already has changes nothing
 * and writes no revision.
 */
export async function updateArticle(prisma: PrismaClient, actor: Actor, raw: unknown): Promise<Article> {
  const input = parseInput(UpdateArticleSchema, raw);
  try {
    return await prisma.$transaction(async (tx) => {
      const existing = await findArticle(tx, actor, input.id);
      checkVersion(existing, input.expectedVersion);
      const data: Prisma.ArticleUncheckedUpdateManyInput = {};
      for (const field of CONTENT_FIELDS) {
        const value = input[field];
        if (value !== undefined && value !== existing[field]) (data as Record<string, unknown>)[field] = value;
      }
      if (Object.keys(data).length === 0) return existing;
      if (data.categoryId) await assertCategory(tx, actor, data.categoryId as string);
      if (data.slug) {
        const taken = await tx.article.findFirst({
          where: { workspaceId: actor.workspaceId, slug: data.slug as string, id: { not: existing.id } },
          select: { id: true },
        });
        if (taken) throw new ConflictError('input.slug: another article already uses this slug', 'input.slug');
      }
      const version = existing.version + 1;
      const now = new Date();
      // Guarded by the version read above: a concurrent edit makes this match nothing.
      const { count } = await tx.article.updateMany({
        where: { id: existing.id, version: existing.version },
        data: { ...data, version, updatedAt: now },
      });
      if (count === 0) {
        const current = await tx.article.findUniqueOrThrow({ where: { id: existing.id }, select: { version: true } });
        throw new ConflictError('input.id: the article was changed meanwhile; re-read it and retry', 'input.expectedVersion', current.version);
      }
      const updated = await tx.article.findUniqueOrThrow({ where: { id: existing.id } });
      await tx.articleVersion.create({
        data: {
          id: uuidv7(now),
          workspaceId: actor.workspaceId,
          articleId: existing.id,
          version,
          title: updated.title,
          body: updated.body,
          authorId: actor.agentId,
          changeNote: input.changeNote || null,
          createdAt: now,
        },
      });
      await articleEvent(tx, actor, 'article.updated', updated, { changedFields: Object.keys(data), version });
      return updated;
    });
  } catch (error) {
    conflictOnUnique(error, { slug: 'input.slug' });
  }
}

export const ChangeArticleStatusSchema = z.object({ id: uuid, expectedVersion: expectedVersion.nullish() });

const TRANSITIONS: Record<'PUBLISHED' | 'ARCHIVED', readonly ArticleStatus[]> = {
  PUBLISHED: ['DRAFT', 'ARCHIVED'],
  ARCHIVED: ['DRAFT', 'PUBLISHED'],
};

async function changeStatus(prisma: PrismaClient, actor: Actor, raw: unknown, to: 'PUBLISHED' | 'ARCHIVED'): Promise<Article> {
  const input = parseInput(ChangeArticleStatusSchema, raw);
  return prisma.$transaction(async (tx) => {
    const existing = await findArticle(tx, actor, input.id);
    checkVersion(existing, input.expectedVersion);
    if (!TRANSITIONS[to].includes(existing.status)) {
      throw new InvalidStateError(`input.id: a ${existing.status} article cannot be ${to === 'PUBLISHED' ? 'published' : 'archived'}`, 'input.id');
    }
    if (to === 'PUBLISHED' && existing.body.trim() === '') {
      throw new InvalidStateError('input.id: an article with an empty body cannot be published', 'input.id');
    }
    const now = new Date();
    const { count } = await tx.article.updateMany({
      where: { id: existing.id, status: existing.status, version: existing.version },
      data: to === 'PUBLISHED' ? { status: to, publishedAt: now, updatedAt: now } : { status: to, archivedAt: now, updatedAt: now },
    });
    if (count === 0) throw new ConflictError('input.id: the article was changed meanwhile; re-read it and retry', 'input.id');
    const changed = await tx.article.findUniqueOrThrow({ where: { id: existing.id } });
    await articleEvent(tx, actor, to === 'PUBLISHED' ? 'article.published' : 'article.archived', changed, { previousStatus: existing.status });
    return changed;
  });
}

/** DRAFT or ARCHIVED → PUBLISHED; sets publishedAt. */
export function publishArticle(prisma: PrismaClient, actor: Actor, raw: unknown) {
  return changeStatus(prisma, actor, raw, 'PUBLISHED');
}

/** DRAFT or PUBLISHED → ARCHIVED; sets archivedAt (publishedAt keeps the last publication). */
export function archiveArticle(prisma: PrismaClient, actor: Actor, raw: unknown) {
  return changeStatus(prisma, actor, raw, 'ARCHIVED');
}

export const RateArticleSchema = z.object({ id: uuid, helpful: z.boolean() });

/**
 * A reader's verdict on a PUBLISHED article. One atomic increment (concurrent ratings never
 * lose a count) that leaves `updatedAt` alone: a rating is not an edit.
 */
export async function rateArticle(prisma: PrismaClient, actor: Actor, raw: unknown): Promise<Article> {
  const input = parseInput(RateArticleSchema, raw);
  const column = input.helpful ? Prisma.sql`"helpfulCount"` : Prisma.sql`"unhelpfulCount"`;
  return prisma.$transaction(async (tx) => {
    const updated = await tx.$executeRaw`
      UPDATE "Article" SET ${column} = ${column} + 1
      WHERE id = ${input.id}::uuid AND "workspaceId" = ${actor.workspaceId}::uuid AND status = 'PUBLISHED'`;
    const article = await findArticle(tx, actor, input.id);
    if (updated === 0) throw new InvalidStateError(`input.id: only PUBLISHED articles can be rated; this one is ${article.status}`, 'input.id');
    await articleEvent(tx, actor, 'article.rated', article, { helpful: input.helpful });
    return article;
  });
}

export const CreateArticleCategorySchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  slug: slug.nullish(),
  description: z.string().trim().max(1000, 'must be at most 1000 characters').nullish(),
  position: z.number().int().min(0, 'must not be negative').max(1_000_000, 'must be at most 1,000,000').nullish(),
  parentId: uuid.nullish(),
});

/** Creates a category; its slug (given, or made from the name) must be free in the workspace. */
export async function createArticleCategory(prisma: PrismaClient, actor: Actor, raw: unknown) {
  const input = parseInput(CreateArticleCategorySchema, raw);
  const categorySlug = input.slug ?? slugify(input.name, 'category');
  // A made-up slug that is taken means a category of (almost) the same name exists.
  const slugPath = input.slug ? 'input.slug' : 'input.name';
  await assertCategory(prisma, actor, input.parentId, 'input.parentId');
  const taken = await prisma.articleCategory.findFirst({ where: { workspaceId: actor.workspaceId, slug: categorySlug }, select: { id: true } });
  if (taken) throw new ConflictError(`${slugPath}: another category already uses the slug "${categorySlug}"`, slugPath);
  try {
    return await prisma.$transaction(async (tx) => {
      const category = await tx.articleCategory.create({
        data: {
          id: uuidv7(),
          workspaceId: actor.workspaceId,
          name: input.name,
          slug: categorySlug,
          description: input.description || null,
          position: input.position ?? 0,
          parentId: input.parentId ?? null,
        },
      });
      await recordEvents(tx, { workspaceId: actor.workspaceId, kind: actor.kind, agentId: actor.agentId }, [
        { type: 'article_category.created', subjectType: 'ArticleCategory', subjectId: category.id, payload: { parentId: category.parentId } },
      ]);
      return category;
    });
  } catch (error) {
    conflictOnUnique(error, { slug: slugPath });
  }
}
