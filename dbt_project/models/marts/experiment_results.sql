with

stg_seller__ab_variants as (

    select * from {{ ref('stg_seller__ab_variants') }}
    where {{ rebuilt_shops_only() }}

),

int_video_days_filtered as (

    select * from {{ ref('int_video_days_filtered') }}
    where {{ rebuilt_shops_only() }}

),

video_totals as (

    select
        shop_id,
        video_id,
        sum(views) as views,
        sum(case when view_through_rate is not null then views end) as views_with_finish_rate,
        sum(views * cast(view_through_rate as decimal(18, 6))) as finished_views,
        sum(product_impressions) as product_impressions,
        sum(product_clicks) as product_clicks,
        sum(attributed_sku_orders) as orders
    from int_video_days_filtered
    group by
        shop_id,
        video_id

),

arms as (

    select
        stg_seller__ab_variants.shop_id,
        stg_seller__ab_variants.experiment_id,
        max(stg_seller__ab_variants.dimension) as dimension,
        stg_seller__ab_variants.variant,
        {{ dbt.bool_or('stg_seller__ab_variants.is_control') }} as is_control,
        count(*) as videos,
        count(video_totals.video_id) as videos_with_data,
        coalesce(sum(video_totals.views), 0) as views,
        cast(
            sum(video_totals.finished_views) / nullif(sum(video_totals.views_with_finish_rate), 0)
            as {{ type_double() }}
        ) as view_through_rate,
        coalesce(sum(video_totals.product_impressions), 0) as product_impressions,
        coalesce(sum(video_totals.product_clicks), 0) as product_clicks,
        coalesce(sum(video_totals.orders), 0) as orders
    from stg_seller__ab_variants
    left join video_totals
        on
            stg_seller__ab_variants.shop_id = video_totals.shop_id
            and stg_seller__ab_variants.video_id = video_totals.video_id
    group by
        stg_seller__ab_variants.shop_id,
        stg_seller__ab_variants.experiment_id,
        stg_seller__ab_variants.variant

),

rates as (

    select
        *,
        cast(product_clicks as {{ type_double() }}) / nullif(product_impressions, 0) as ctr,
        cast(orders as {{ type_double() }}) / nullif(product_clicks, 0) as cvr
    from arms

),

-- videos, not impressions, are what gets randomised: clicks of one video move together, so the binomial
-- variance is scaled by the experiment's overdispersion (Pearson chi-square of video CTRs around their arm's CTR
-- per degree of freedom, at least 1), as in a quasi-binomial model
video_dispersion as (

    select
        stg_seller__ab_variants.shop_id,
        stg_seller__ab_variants.experiment_id,
        count(*) as videos_with_impressions,
        -- each term in decimal: an exact sum, so a rebuild gives the same bits in any order
        sum(
            cast(
                (video_totals.product_clicks - video_totals.product_impressions * rates.ctr)
                * (video_totals.product_clicks - video_totals.product_impressions * rates.ctr)
                / nullif(video_totals.product_impressions * rates.ctr * (1 - rates.ctr), 0)
                as decimal(38, 12)
            )
        ) as pearson_chi_square,
        count(distinct stg_seller__ab_variants.variant) as arms
    from stg_seller__ab_variants
    inner join video_totals
        on
            stg_seller__ab_variants.shop_id = video_totals.shop_id
            and stg_seller__ab_variants.video_id = video_totals.video_id
    inner join rates
        on
            stg_seller__ab_variants.shop_id = rates.shop_id
            and stg_seller__ab_variants.experiment_id = rates.experiment_id
            and stg_seller__ab_variants.variant = rates.variant
    where video_totals.product_impressions > 0
    group by
        stg_seller__ab_variants.shop_id,
        stg_seller__ab_variants.experiment_id

),

dispersion as (

    select
        shop_id,
        experiment_id,
        case
            when videos_with_impressions > arms
                then greatest(1.0, cast(pearson_chi_square as {{ type_double() }}) / (videos_with_impressions - arms))
            else 1.0
        end as dispersion
    from video_dispersion

),

controls as (

    select
        shop_id,
        experiment_id,
        variant as control_variant,
        views as control_views,
        product_impressions as control_impressions,
        product_clicks as control_clicks,
        ctr as control_ctr
    from rates
    where is_control

),

-- two-proportion z-test of CTR (clicks / impressions) against the control arm
tested as (

    select
        rates.*,
        controls.control_variant,
        controls.control_views,
        controls.control_ctr,
        coalesce(dispersion.dispersion, 1.0) as dispersion,
        rates.ctr - controls.control_ctr as ctr_diff,
        controls.control_impressions,
        cast(rates.product_clicks + controls.control_clicks as {{ type_double() }})
        / (rates.product_impressions + controls.control_impressions) as pooled_ctr,
        sqrt(
            coalesce(dispersion.dispersion, 1.0) * (
                rates.ctr * (1 - rates.ctr) / rates.product_impressions
                + controls.control_ctr * (1 - controls.control_ctr) / controls.control_impressions
            )
        ) as ctr_diff_se
    from rates
    left join controls
        on
            rates.shop_id = controls.shop_id
            and rates.experiment_id = controls.experiment_id
    left join dispersion
        on
            rates.shop_id = dispersion.shop_id
            and rates.experiment_id = dispersion.experiment_id
    where not rates.is_control or rates.variant = controls.control_variant

),

with_z as (

    select
        *,
        ctr_diff / nullif(
            sqrt(dispersion * pooled_ctr * (1 - pooled_ctr) * (1.0 / product_impressions + 1.0 / control_impressions)),
            0
        ) as z_score
    from tested

),

with_p as (

    select
        *,
        2 * (1 - {{ normal_cdf('abs(z_score)') }}) as p_value
    from with_z

),

final as (

    select
        {{ surrogate_key(['shop_id', 'experiment_id', 'variant']) }} as experiment_variant_id,
        shop_id,
        experiment_id,
        dimension,
        variant,
        is_control,
        control_variant,
        videos,
        videos_with_data,
        views,
        view_through_rate,
        product_impressions,
        product_clicks,
        orders,
        ctr,
        cvr,
        case when not is_control then control_ctr end as control_ctr,
        case when not is_control then ctr_diff end as ctr_diff,
        case when not is_control then ctr_diff - {{ var('ab_ci_z') }} * ctr_diff_se end as ctr_diff_ci_low,
        case when not is_control then ctr_diff + {{ var('ab_ci_z') }} * ctr_diff_se end as ctr_diff_ci_high,
        dispersion,
        case when not is_control then z_score end as z_score,
        case when not is_control then p_value end as p_value,
        case
            when is_control then 'control'
            when control_variant is null then 'no control'
            when views < {{ var('ab_min_views_per_arm') }} or control_views < {{ var('ab_min_views_per_arm') }}
                then 'needs more views'
            when p_value < {{ var('ab_alpha') }} and ctr_diff > 0 then 'winner'
            when p_value < {{ var('ab_alpha') }} and ctr_diff < 0 then 'loser'
            else 'no difference yet'
        end as verdict
    from with_p

)

select * from final
