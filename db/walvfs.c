//go:build unix

/*
** hookscope-wal: a VFS over the default one that writes a transaction's
** WAL frames to the file in one write instead of two per page.
**
** SQLite appends each frame of a commit as two writes, the 24-byte frame
** header and then the page, so a commit touching 30 pages costs 60 write
** system calls. This VFS keeps the appends of a write-ahead log in memory
** and writes them as one: when the frame that commits the transaction is
** complete (its header carries the database size, which only a commit
** frame's does), before anything reads, syncs, truncates, sizes or closes
** the log, when the buffer is full, and before the connection releases a
** WAL lock. Any write that is not an append first writes out what is
** buffered. So:
**
**  - a commit is in the file before SQLite publishes it in the WAL index
**    (it does that after writing its last frame), so every reader, in this
**    process or another, finds the frames it is told about; a write error
**    is returned by the write of the commit frame, and the commit fails as
**    it would have;
**  - frames of a transaction rolled back after spilling reach the file
**    before the write lock is released, as they would have without the
**    buffer, so nothing is written while another connection holds it;
**  - what is durable is unchanged: nothing is synced that was not before,
**    and a crash loses at most a commit that had not yet returned.
**
** The main database file, journals and temporary files are passed through
** untouched. A WAL is buffered only when its main database file was opened
** through this VFS too (the two are linked so the lock release can write
** out the log first); otherwise it is passed through.
*/
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "walvfs.h"

/* hsBufMax bounds one connection's buffered log: past it, a write goes
** out at once. A commit of a few hundred pages fits. */
#define HS_BUF_MAX (4 * 1024 * 1024)
#define HS_BUF_MIN (64 * 1024)

/* WAL_FRAME_HDRSIZE and WAL_WRITE_LOCK (wal.c): a frame header's size, and
** the shared-memory lock a writer holds. */
#define HS_FRAME_HDR 24
#define HS_WAL_WRITE_LOCK 0

typedef struct hsFile hsFile;
struct hsFile {
  sqlite3_file base;     /* this VFS's methods */
  sqlite3_file *real;    /* the default VFS's file, allocated after this */
  int isMain;            /* a main database file */
  int isWal;             /* a write-ahead log */
  sqlite3_filename zName;/* main database: the name it was opened with */
  hsFile *wal;           /* main database: its open log, if linked */
  hsFile *main;          /* log: its main database file, if linked */
  hsFile *nextMain;      /* the list of open main database files */
  unsigned char *buf;    /* log: appends not yet written */
  int nBuf, szBuf;
  sqlite3_int64 bufOff;  /* log: the file offset of buf[0] */
  int commitPending;     /* log: a commit frame's header is buffered */
  sqlite3_int64 end;     /* log: where this transaction's appends end (0:
                         ** none yet); a write below it is a rewrite */
};

static sqlite3_vfs hsVfs;
static sqlite3_vfs *hsReal;
static pthread_mutex_t hsMu = PTHREAD_MUTEX_INITIALIZER;
static hsFile *hsMains; /* open main database files (under hsMu) */
/* Counts for tests: writes SQLite made to logs, writes that reached log
** files, and commits found still buffered when published. */
static sqlite3_int64 hsWrites, hsFlushes, hsBarrierFlushes;

static const sqlite3_io_methods hsMethods;

/* HS_WRITE_MAX is the most one write of the default VFS takes: the unix
** VFS masks a write's length to 17 bits (seekAndWriteFd), so a longer one
** is cut short and reported as a full disk. */
#define HS_WRITE_MAX 0x1f000

/* hsFlush writes out what p has buffered. */
static int hsFlush(hsFile *p){
  int rc = SQLITE_OK;
  int done = 0;
  while( done<p->nBuf && rc==SQLITE_OK ){
    int n = p->nBuf-done;
    if( n>HS_WRITE_MAX ) n = HS_WRITE_MAX;
    rc = p->real->pMethods->xWrite(p->real, p->buf+done, n, p->bufOff+done);
    done += n;
    __atomic_add_fetch(&hsFlushes, 1, __ATOMIC_RELAXED);
  }
  p->nBuf = 0;
  return rc;
}

/* hsWriteThrough is one write straight to the file. */
static int hsWriteThrough(hsFile *p, const void *z, int iAmt, sqlite3_int64 iOfst){
  if( p->isWal ) __atomic_add_fetch(&hsFlushes, 1, __ATOMIC_RELAXED);
  return p->real->pMethods->xWrite(p->real, z, iAmt, iOfst);
}

static int hsClose(sqlite3_file *pFile){
  hsFile *p = (hsFile*)pFile;
  int rc = hsFlush(p);
  int rc2;
  pthread_mutex_lock(&hsMu);
  if( p->isMain ){
    hsFile **pp;
    for(pp=&hsMains; *pp; pp=&(*pp)->nextMain){
      if( *pp==p ){ *pp = p->nextMain; break; }
    }
    if( p->wal ){
      hsFlush(p->wal);
      p->wal->main = 0;
    }
  }
  if( p->isWal && p->main ) p->main->wal = 0;
  pthread_mutex_unlock(&hsMu);
  free(p->buf);
  p->buf = 0;
  rc2 = p->real->pMethods->xClose(p->real);
  return rc!=SQLITE_OK ? rc : rc2;
}

static int hsRead(sqlite3_file *pFile, void *z, int iAmt, sqlite3_int64 iOfst){
  hsFile *p = (hsFile*)pFile;
  int rc = hsFlush(p);
  if( rc!=SQLITE_OK ) return rc;
  return p->real->pMethods->xRead(p->real, z, iAmt, iOfst);
}

static int hsWrite(sqlite3_file *pFile, const void *z, int iAmt, sqlite3_int64 iOfst){
  hsFile *p = (hsFile*)pFile;
  int rc;
  if( p->isWal ) __atomic_add_fetch(&hsWrites, 1, __ATOMIC_RELAXED);
  if( !p->isWal || p->main==0 || iOfst<p->end ){
    /* Not a log linked to its database, or not an append: SQLite
    ** rewriting a frame of this transaction in place, or the checksums
    ** of its frames. What is buffered goes first, then this, directly. */
    rc = hsFlush(p);
    if( rc!=SQLITE_OK ) return rc;
    return hsWriteThrough(p, z, iAmt, iOfst);
  }
  p->end = iOfst+iAmt;
  if( p->nBuf>0 && iOfst!=p->bufOff+p->nBuf ){
    rc = hsFlush(p);
    if( rc!=SQLITE_OK ) return rc;
  }
  if( p->nBuf+iAmt>p->szBuf ){
    int sz = p->szBuf ? p->szBuf : HS_BUF_MIN;
    while( sz<p->nBuf+iAmt && sz<HS_BUF_MAX ) sz *= 2;
    if( p->nBuf+iAmt>sz ){
      rc = hsFlush(p);
      if( rc!=SQLITE_OK ) return rc;
    }
    if( iAmt>sz ){
      return hsWriteThrough(p, z, iAmt, iOfst);
    }
    if( sz>p->szBuf ){
      unsigned char *b = realloc(p->buf, sz);
      if( b==0 ){
        rc = hsFlush(p);
        if( rc!=SQLITE_OK ) return rc;
        return hsWriteThrough(p, z, iAmt, iOfst);
      }
      p->buf = b;
      p->szBuf = sz;
    }
  }
  if( p->nBuf==0 ) p->bufOff = iOfst;
  memcpy(p->buf+p->nBuf, z, iAmt);
  p->nBuf += iAmt;
  if( p->commitPending ){
    /* The page of the commit frame: the transaction is all here. */
    p->commitPending = 0;
    return hsFlush(p);
  }
  if( iAmt==HS_FRAME_HDR ){
    /* A frame header (pages are at least 512 bytes). Bytes 4-7 hold the
    ** database size in pages after a commit, and 0 in other frames. */
    const unsigned char *h = (const unsigned char*)z;
    if( h[4] | h[5] | h[6] | h[7] ) p->commitPending = 1;
  }
  return SQLITE_OK;
}

static int hsTruncate(sqlite3_file *pFile, sqlite3_int64 size){
  hsFile *p = (hsFile*)pFile;
  int rc = hsFlush(p);
  p->end = 0;
  if( rc!=SQLITE_OK ) return rc;
  return p->real->pMethods->xTruncate(p->real, size);
}

static int hsSync(sqlite3_file *pFile, int flags){
  hsFile *p = (hsFile*)pFile;
  int rc = hsFlush(p);
  if( rc!=SQLITE_OK ) return rc;
  return p->real->pMethods->xSync(p->real, flags);
}

static int hsFileSize(sqlite3_file *pFile, sqlite3_int64 *pSize){
  hsFile *p = (hsFile*)pFile;
  int rc = hsFlush(p);
  if( rc!=SQLITE_OK ) return rc;
  return p->real->pMethods->xFileSize(p->real, pSize);
}

static int hsLock(sqlite3_file *pFile, int eLock){
  hsFile *p = (hsFile*)pFile;
  return p->real->pMethods->xLock(p->real, eLock);
}

static int hsUnlock(sqlite3_file *pFile, int eLock){
  hsFile *p = (hsFile*)pFile;
  return p->real->pMethods->xUnlock(p->real, eLock);
}

static int hsCheckReservedLock(sqlite3_file *pFile, int *pResOut){
  hsFile *p = (hsFile*)pFile;
  return p->real->pMethods->xCheckReservedLock(p->real, pResOut);
}

static int hsFileControl(sqlite3_file *pFile, int op, void *pArg){
  hsFile *p = (hsFile*)pFile;
  int rc = hsFlush(p);
  if( rc!=SQLITE_OK ) return rc;
  return p->real->pMethods->xFileControl(p->real, op, pArg);
}

static int hsSectorSize(sqlite3_file *pFile){
  hsFile *p = (hsFile*)pFile;
  return p->real->pMethods->xSectorSize(p->real);
}

static int hsDeviceCharacteristics(sqlite3_file *pFile){
  hsFile *p = (hsFile*)pFile;
  return p->real->pMethods->xDeviceCharacteristics(p->real);
}

static int hsShmMap(sqlite3_file *pFile, int iPg, int pgsz, int bExtend, void volatile **pp){
  hsFile *p = (hsFile*)pFile;
  if( p->real->pMethods->iVersion<2 || p->real->pMethods->xShmMap==0 ) return SQLITE_IOERR;
  return p->real->pMethods->xShmMap(p->real, iPg, pgsz, bExtend, pp);
}

/* hsShmLock writes out the linked log before a WAL lock is taken or given
** up: what a connection wrote under its write lock is in the file before
** another can hold it. Once the write lock (lock 0) is released, another
** connection may restart the log: the next transaction's first write
** starts a new run of appends wherever it lands. */
static int hsShmLock(sqlite3_file *pFile, int offset, int n, int flags){
  hsFile *p = (hsFile*)pFile;
  if( p->real->pMethods->iVersion<2 || p->real->pMethods->xShmLock==0 ) return SQLITE_IOERR;
  if( p->wal ){
    int rc = hsFlush(p->wal);
    if( rc!=SQLITE_OK && (flags & SQLITE_SHM_UNLOCK)==0 ) return rc;
    if( (flags & SQLITE_SHM_UNLOCK) && offset==HS_WAL_WRITE_LOCK ){
      p->wal->end = 0;
      p->wal->commitPending = 0;
    }
  }
  return p->real->pMethods->xShmLock(p->real, offset, n, flags);
}

/* hsShmBarrier precedes every publication of a commit in the WAL index:
** the linked log's commit was written out when its last frame came; any
** still buffered (never, with the SQLite this is built with) goes now. */
static void hsShmBarrier(sqlite3_file *pFile){
  hsFile *p = (hsFile*)pFile;
  if( p->wal && p->wal->nBuf>0 ){
    __atomic_add_fetch(&hsBarrierFlushes, 1, __ATOMIC_RELAXED);
    hsFlush(p->wal);
  }
  if( p->real->pMethods->iVersion>=2 && p->real->pMethods->xShmBarrier ){
    p->real->pMethods->xShmBarrier(p->real);
  }
}

static int hsShmUnmap(sqlite3_file *pFile, int deleteFlag){
  hsFile *p = (hsFile*)pFile;
  if( p->real->pMethods->iVersion<2 || p->real->pMethods->xShmUnmap==0 ) return SQLITE_OK;
  return p->real->pMethods->xShmUnmap(p->real, deleteFlag);
}

static int hsFetch(sqlite3_file *pFile, sqlite3_int64 iOfst, int iAmt, void **pp){
  hsFile *p = (hsFile*)pFile;
  int rc;
  if( p->real->pMethods->iVersion<3 || p->real->pMethods->xFetch==0 ){
    *pp = 0;
    return SQLITE_OK;
  }
  rc = hsFlush(p);
  if( rc!=SQLITE_OK ) return rc;
  return p->real->pMethods->xFetch(p->real, iOfst, iAmt, pp);
}

static int hsUnfetch(sqlite3_file *pFile, sqlite3_int64 iOfst, void *pPage){
  hsFile *p = (hsFile*)pFile;
  if( p->real->pMethods->iVersion<3 || p->real->pMethods->xUnfetch==0 ) return SQLITE_OK;
  return p->real->pMethods->xUnfetch(p->real, iOfst, pPage);
}

static const sqlite3_io_methods hsMethods = {
  3,
  hsClose, hsRead, hsWrite, hsTruncate, hsSync, hsFileSize,
  hsLock, hsUnlock, hsCheckReservedLock, hsFileControl,
  hsSectorSize, hsDeviceCharacteristics,
  hsShmMap, hsShmLock, hsShmBarrier, hsShmUnmap,
  hsFetch, hsUnfetch,
};

static int hsOpen(sqlite3_vfs *pVfs, sqlite3_filename zName, sqlite3_file *pFile, int flags, int *pOutFlags){
  hsFile *p = (hsFile*)pFile;
  int rc;
  (void)pVfs;
  memset(p, 0, sizeof(*p));
  p->real = (sqlite3_file*)&p[1];
  rc = hsReal->xOpen(hsReal, zName, p->real, flags, pOutFlags);
  if( p->real->pMethods==0 ){
    p->base.pMethods = 0;
    return rc;
  }
  p->base.pMethods = &hsMethods;
  if( rc!=SQLITE_OK ) return rc;
  pthread_mutex_lock(&hsMu);
  if( (flags & SQLITE_OPEN_MAIN_DB) && zName ){
    p->isMain = 1;
    p->zName = zName;
    p->nextMain = hsMains;
    hsMains = p;
  }else if( (flags & SQLITE_OPEN_WAL) && zName ){
    /* The log's name is stored right after its database's name, in the
    ** same allocation: the database file opened with that very pointer is
    ** this connection's. */
    sqlite3_filename zMain = sqlite3_filename_database(zName);
    hsFile *m;
    p->isWal = 1;
    for(m=hsMains; m; m=m->nextMain){
      if( m->zName==zMain && m->wal==0 ){
        m->wal = p;
        p->main = m;
        break;
      }
    }
  }
  pthread_mutex_unlock(&hsMu);
  return rc;
}

static int hsDelete(sqlite3_vfs *pVfs, const char *zName, int syncDir){
  (void)pVfs;
  return hsReal->xDelete(hsReal, zName, syncDir);
}

static int hsAccess(sqlite3_vfs *pVfs, const char *zName, int flags, int *pResOut){
  (void)pVfs;
  return hsReal->xAccess(hsReal, zName, flags, pResOut);
}

static int hsFullPathname(sqlite3_vfs *pVfs, const char *zName, int nOut, char *zOut){
  (void)pVfs;
  return hsReal->xFullPathname(hsReal, zName, nOut, zOut);
}

static void *hsDlOpen(sqlite3_vfs *pVfs, const char *zPath){
  (void)pVfs;
  return hsReal->xDlOpen(hsReal, zPath);
}

static void hsDlError(sqlite3_vfs *pVfs, int nByte, char *zErrMsg){
  (void)pVfs;
  hsReal->xDlError(hsReal, nByte, zErrMsg);
}

static void (*hsDlSym(sqlite3_vfs *pVfs, void *p, const char *zSym))(void){
  (void)pVfs;
  return hsReal->xDlSym(hsReal, p, zSym);
}

static void hsDlClose(sqlite3_vfs *pVfs, void *pHandle){
  (void)pVfs;
  hsReal->xDlClose(hsReal, pHandle);
}

static int hsRandomness(sqlite3_vfs *pVfs, int nByte, char *zBufOut){
  (void)pVfs;
  return hsReal->xRandomness(hsReal, nByte, zBufOut);
}

static int hsSleep(sqlite3_vfs *pVfs, int nMicro){
  (void)pVfs;
  return hsReal->xSleep(hsReal, nMicro);
}

static int hsCurrentTime(sqlite3_vfs *pVfs, double *pTimeOut){
  (void)pVfs;
  return hsReal->xCurrentTime(hsReal, pTimeOut);
}

static int hsGetLastError(sqlite3_vfs *pVfs, int a, char *b){
  (void)pVfs;
  return hsReal->xGetLastError(hsReal, a, b);
}

static int hsCurrentTimeInt64(sqlite3_vfs *pVfs, sqlite3_int64 *p){
  (void)pVfs;
  return hsReal->xCurrentTimeInt64(hsReal, p);
}

static pthread_once_t hsOnce = PTHREAD_ONCE_INIT;
static int hsRegisterRc;

static void hsRegister(void){
  /* Allocation statistics take a global mutex on every allocation, and
  ** nothing here reads them. This works only before SQLite initializes:
  ** later it returns SQLITE_MISUSE and changes nothing. */
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  hsReal = sqlite3_vfs_find(0);
  if( hsReal==0 ){
    hsRegisterRc = SQLITE_ERROR;
    return;
  }
  memset(&hsVfs, 0, sizeof(hsVfs));
  hsVfs.iVersion = 2;
  hsVfs.szOsFile = (int)sizeof(hsFile) + hsReal->szOsFile;
  hsVfs.mxPathname = hsReal->mxPathname;
  hsVfs.zName = "hookscope-wal";
  hsVfs.xOpen = hsOpen;
  hsVfs.xDelete = hsDelete;
  hsVfs.xAccess = hsAccess;
  hsVfs.xFullPathname = hsFullPathname;
  hsVfs.xDlOpen = hsDlOpen;
  hsVfs.xDlError = hsDlError;
  hsVfs.xDlSym = hsDlSym;
  hsVfs.xDlClose = hsDlClose;
  hsVfs.xRandomness = hsRandomness;
  hsVfs.xSleep = hsSleep;
  hsVfs.xCurrentTime = hsCurrentTime;
  hsVfs.xGetLastError = hsGetLastError;
  if( hsReal->iVersion>=2 && hsReal->xCurrentTimeInt64 ){
    hsVfs.xCurrentTimeInt64 = hsCurrentTimeInt64;
  }else{
    hsVfs.iVersion = 1;
  }
  hsRegisterRc = sqlite3_vfs_register(&hsVfs, 0);
}

int hs_walvfs_register(void){
  pthread_once(&hsOnce, hsRegister);
  return hsRegisterRc;
}

void hs_walvfs_stats(sqlite3_int64 *writes, sqlite3_int64 *flushes, sqlite3_int64 *barrierFlushes){
  *writes = __atomic_load_n(&hsWrites, __ATOMIC_RELAXED);
  *flushes = __atomic_load_n(&hsFlushes, __ATOMIC_RELAXED);
  *barrierFlushes = __atomic_load_n(&hsBarrierFlushes, __ATOMIC_RELAXED);
}
