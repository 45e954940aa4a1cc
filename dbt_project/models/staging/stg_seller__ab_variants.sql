with

ab_variants as (

    select * from {{ source('seller', 'ab_variants') }}

),

-- a video belongs to one variant of an experiment; the newest file wins
ranked as (

    select
        *,
        {{ newest_export_rank(['experiment_id', 'video_id']) }} as recency_rank
    from ab_variants

),

final as (

    select
        {{ surrogate_key(['_shop_id', 'experiment_id', 'video_id']) }} as ab_variant_id,
        _shop_id as shop_id,
        experiment_id,
        lower(dimension) as dimension,
        video_id,
        variant,
        {{ parse_bool('is_control') }} as is_control,
        _export_at as export_at,
        _source_file as source_file,
        _source_row as source_row
    from ranked
    where recency_rank = 1

)

select * from final
